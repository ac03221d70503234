package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.JsonFields.objectAt;
import static dev.ensemble.wire.openai.JsonFields.optObject;
import static dev.ensemble.wire.openai.JsonFields.optString;
import static dev.ensemble.wire.openai.JsonFields.path;
import static dev.ensemble.wire.openai.JsonFields.requireObject;
import static dev.ensemble.wire.openai.JsonFields.requireString;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Reads the {@code content} of a client's OpenAI chat message: a string or an array of typed parts. */
final class ContentPartDecoder {

  private static final String PDF = "application/pdf";

  private ContentPartDecoder() {
  }

  /** User content: text, images, files and audio. */
  static List<ContentBlock> userContent(Object content, String path) {
    if (content instanceof String s) {
      return List.of(ContentBlock.Text.of(s));
    }
    JsonArray parts = partsArray(content, path);
    List<ContentBlock> blocks = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      blocks.add(userPart(objectAt(parts, i, path), path(path, i)));
    }
    return blocks;
  }

  /** System, developer and tool content: text only. */
  static List<ContentBlock.Text> textContent(Object content, String path) {
    if (content instanceof String s) {
      return List.of(ContentBlock.Text.of(s));
    }
    JsonArray parts = partsArray(content, path);
    List<ContentBlock.Text> blocks = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = objectAt(parts, i, path);
      String partPath = path(path, i);
      String type = requireString(part, "type", partPath);
      if (!type.equals("text")) {
        throw GatewayError.invalid(path(partPath, "type"), "only 'text' parts are allowed here, got '" + type + "'");
      }
      blocks.add(text(part, partPath));
    }
    return blocks;
  }

  /** Assistant content: a string, null, or text and refusal parts (refusals are dropped). */
  static List<ContentBlock> assistantContent(Object content, String path) {
    if (content == null) {
      return List.of();
    }
    if (content instanceof String s) {
      return s.isEmpty() ? List.of() : List.of(ContentBlock.Text.of(s));
    }
    JsonArray parts = partsArray(content, path);
    List<ContentBlock> blocks = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = objectAt(parts, i, path);
      String partPath = path(path, i);
      String type = requireString(part, "type", partPath);
      switch (type) {
        case "text" -> blocks.add(text(part, partPath));
        case "refusal" -> requireString(part, "refusal", partPath);
        default -> throw GatewayError.invalid(path(partPath, "type"),
            "only 'text' and 'refusal' parts are allowed in assistant messages, got '" + type + "'");
      }
    }
    return blocks;
  }

  private static JsonArray partsArray(Object content, String path) {
    if (content == null) {
      throw GatewayError.invalid(path, "is required");
    }
    if (!(content instanceof JsonArray parts)) {
      throw GatewayError.invalid(path, "must be a string or an array of content parts");
    }
    return parts;
  }

  private static ContentBlock userPart(JsonObject part, String path) {
    String type = requireString(part, "type", path);
    return switch (type) {
      case "text" -> text(part, path);
      case "image_url" -> image(part, path);
      case "file" -> file(part, path);
      case "input_audio" -> InputAudio.decode(part, path, cacheControl(part, path));
      default -> throw GatewayError.invalid(path(path, "type"), "unknown content type '" + type + "'");
    };
  }

  private static ContentBlock.Text text(JsonObject part, String path) {
    return new ContentBlock.Text(requireString(part, "text", path), cacheControl(part, path));
  }

  private static ContentBlock.Image image(JsonObject part, String path) {
    Object value = part.getValue("image_url");
    String url;
    String detail = null;
    if (value instanceof String s) {
      url = s;
    } else if (value instanceof JsonObject image) {
      String imagePath = path(path, "image_url");
      url = requireString(image, "url", imagePath);
      detail = optString(image, "detail", imagePath);
    } else {
      throw GatewayError.invalid(path(path, "image_url"), value == null ? "is required" : "must be an object");
    }
    if (url.isEmpty()) {
      throw GatewayError.invalid(path(path, "image_url.url"), "must not be empty");
    }
    MediaSource source = MediaSource.fromUrlOrDataUri(url);
    if (!source.isUrl()) {
      String problem = MediaSource.base64Problem(source.data(), "image data");
      if (problem != null) {
        throw GatewayError.invalid(path(path, "image_url.url"), "the data URL " + problem);
      }
    }
    return new ContentBlock.Image(source, detail, cacheControl(part, path));
  }

  private static ContentBlock.Document file(JsonObject part, String path) {
    String filePath = path(path, "file");
    JsonObject file = requireObject(part, "file", path);
    String data = optString(file, "file_data", filePath);
    if (data == null) {
      String reason = file.getValue("file_id") != null ? "file_id is not supported, send file_data" : "is required";
      throw GatewayError.invalid(path(filePath, "file_data"), reason);
    }
    MediaSource source = data.startsWith("data:") ? MediaSource.fromUrlOrDataUri(data) : MediaSource.base64(PDF, data);
    if (source.isUrl()) {
      throw GatewayError.invalid(path(filePath, "file_data"), "must be a base64 data URL");
    }
    String problem = MediaSource.base64Problem(source.data(), "file data");
    if (problem != null) {
      throw GatewayError.invalid(path(filePath, "file_data"), problem);
    }
    return new ContentBlock.Document(source, optString(file, "filename", filePath), cacheControl(part, path));
  }

  private static JsonObject cacheControl(JsonObject part, String path) {
    return optObject(part, "cache_control", path);
  }
}
