package dev.ensemble.wire.gemini;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a unified request as a Gemini {@code GenerateContentRequest} ({@code systemInstruction},
 * {@code contents}, {@code tools}, {@code toolConfig}, {@code generationConfig}, always in that order), byte-stable
 * for a given input. The model and streaming are not in the body: they are in the URL.
 *
 * <ul>
 *   <li>user turns have role {@code user}, assistant turns {@code model}; system blocks become the
 *       {@code systemInstruction} parts;
 *   <li>inline images and documents are {@code inlineData {mimeType, data}}, ones given by URL
 *       {@code fileData {mimeType, fileUri}} (a {@code data:} URL is sent inline);
 *   <li>a tool call is {@code functionCall {name, args}}; the first call of each model turn carries Gemini's
 *       documented placeholder {@code thoughtSignature}, because the unified model does not keep Gemini's
 *       signatures and Gemini 3 rejects replayed calls without one;
 *   <li>a tool result is {@code functionResponse {name, response}}, named after the call it answers: a JSON
 *       object result is the response itself, other text is {@code {"output": text}}, an error
 *       {@code {"error": text}}; images in a result follow it as inline parts;
 *   <li>thinking blocks are not sent back (Gemini reads no unsigned thoughts); {@code cache_control} is dropped.
 * </ul>
 * Stateless and thread-safe.
 */
public final class GeminiRequestCodec {

  /** File extensions of the media Gemini takes by URL, after its documentation's list of supported types. */
  private static final Map<String, String> MIME_TYPES = Map.ofEntries(
      Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
      Map.entry("webp", "image/webp"), Map.entry("gif", "image/gif"), Map.entry("heic", "image/heic"),
      Map.entry("heif", "image/heif"), Map.entry("pdf", "application/pdf"), Map.entry("txt", "text/plain"),
      Map.entry("wav", "audio/wav"), Map.entry("mp3", "audio/mp3"), Map.entry("aiff", "audio/aiff"),
      Map.entry("aac", "audio/aac"), Map.entry("ogg", "audio/ogg"), Map.entry("flac", "audio/flac"),
      Map.entry("mp4", "video/mp4"), Map.entry("mpeg", "video/mpeg"), Map.entry("mpg", "video/mpeg"),
      Map.entry("mov", "video/mov"), Map.entry("avi", "video/avi"), Map.entry("flv", "video/x-flv"),
      Map.entry("webm", "video/webm"), Map.entry("wmv", "video/wmv"), Map.entry("3gp", "video/3gpp"));

  /** Gemini's documented placeholder for a function call whose real thought signature is unknown. */
  static final String PLACEHOLDER_SIGNATURE = "skip_thought_signature_validator";
  /** Thinking budgets for OpenAI-style reasoning efforts. */
  private static final Map<String, Integer> EFFORT_BUDGETS = Map.of(
      "minimal", 512, "low", 1024, "medium", 8192, "high", 24576);

  /** The request body for {@code models/<upstreamModel>:generateContent} or {@code :streamGenerateContent}. */
  public JsonObject encode(UnifiedRequest request, String upstreamModel) {
    JsonObject body = new JsonObject();
    if (!request.system().isEmpty()) {
      JsonArray parts = new JsonArray();
      request.system().forEach(block -> parts.add(new JsonObject().put("text", block.text())));
      body.put("systemInstruction", new JsonObject().put("parts", parts));
    }
    body.put("contents", contents(request.messages()));
    if (!request.tools().isEmpty()) {
      JsonArray declarations = new JsonArray();
      request.tools().forEach(tool -> declarations.add(declaration(tool)));
      body.put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", declarations)));
      if (request.toolChoice() != null) {
        body.put("toolConfig", new JsonObject().put("functionCallingConfig", callingConfig(request.toolChoice())));
      }
    }
    JsonObject generation = generationConfig(request);
    if (!generation.isEmpty()) {
      body.put("generationConfig", generation);
    }
    return body;
  }

  private static JsonArray contents(List<Message> messages) {
    Map<String, String> toolNames = new HashMap<>();
    JsonArray contents = new JsonArray();
    for (int m = 0; m < messages.size(); m++) {
      Message message = messages.get(m);
      JsonArray parts = new JsonArray();
      boolean signed = false;
      for (int b = 0; b < message.content().size(); b++) {
        ContentBlock block = message.content().get(b);
        String path = "messages[" + m + "].content[" + b + "]";
        if (block instanceof ContentBlock.Text text) {
          parts.add(new JsonObject().put("text", text.text()));
        } else if (block instanceof ContentBlock.Image image) {
          parts.add(media(image.source(), path));
        } else if (block instanceof ContentBlock.Document document) {
          parts.add(media(document.source(), path));
        } else if (block instanceof ContentBlock.ToolUse use) {
          toolNames.put(use.id(), use.name());
          JsonObject part = new JsonObject().put("functionCall",
              new JsonObject().put("name", use.name()).put("args", arguments(use.inputJson(), path)));
          if (!signed) {
            part.put("thoughtSignature", PLACEHOLDER_SIGNATURE);
            signed = true;
          }
          parts.add(part);
        } else if (block instanceof ContentBlock.ToolResult result) {
          String name = toolNames.get(result.toolUseId());
          if (name == null) {
            throw GatewayError.invalid(path + ".tool_use_id", "no earlier tool call has the id '" + result.toolUseId() + "'");
          }
          toolResult(result, name, path, parts);
        }
      }
      if (!parts.isEmpty()) {
        contents.add(new JsonObject().put("role", message.role() == Role.USER ? "user" : "model").put("parts", parts));
      }
    }
    return contents;
  }

  private static void toolResult(ContentBlock.ToolResult result, String name, String path, JsonArray parts) {
    StringBuilder text = new StringBuilder();
    List<JsonObject> media = new ArrayList<>();
    for (ContentBlock block : result.content()) {
      if (block instanceof ContentBlock.Text t) {
        text.append(t.text());
      } else if (block instanceof ContentBlock.Image image) {
        media.add(media(image.source(), path));
      } else if (block instanceof ContentBlock.Document document) {
        media.add(media(document.source(), path));
      }
    }
    JsonObject response;
    if (result.isError()) {
      response = new JsonObject().put("error", text.toString());
    } else {
      response = jsonObjectOrNull(text.toString());
      if (response == null) {
        response = new JsonObject().put("output", text.toString());
      }
    }
    parts.add(new JsonObject().put("functionResponse", new JsonObject().put("name", name).put("response", response)));
    media.forEach(parts::add);
  }

  private static JsonObject media(MediaSource source, String path) {
    if (!source.isUrl()) {
      return new JsonObject().put("inlineData", new JsonObject()
          .put("mimeType", source.mediaType()).put("data", source.data()));
    }
    MediaSource parsed = MediaSource.fromUrlOrDataUri(source.url());
    if (!parsed.isUrl()) {
      return media(parsed, path);
    }
    JsonObject file = new JsonObject();
    String mimeType = source.mediaType() != null ? source.mediaType() : guessMimeType(source.url());
    if (mimeType != null) {
      file.put("mimeType", mimeType);
    }
    return new JsonObject().put("fileData", file.put("fileUri", source.url()));
  }

  /**
   * The media type a URL's file extension names, for {@code fileData.mimeType}: optional on the Gemini API but
   * required on Vertex AI. Null for an extension not listed here.
   */
  private static String guessMimeType(String url) {
    String path = url.toLowerCase(Locale.ROOT);
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    int dot = path.lastIndexOf('.');
    return dot < 0 || dot < path.lastIndexOf('/') ? null : MIME_TYPES.get(path.substring(dot + 1));
  }

  private static JsonObject arguments(String json, String path) {
    JsonObject args = jsonObjectOrNull(json);
    if (args == null) {
      throw GatewayError.invalid(path + ".input", "tool call arguments must be a JSON object");
    }
    return args;
  }

  private static JsonObject jsonObjectOrNull(String text) {
    String trimmed = text.trim();
    if (!trimmed.startsWith("{")) {
      return null;
    }
    try {
      return new JsonObject(trimmed);
    } catch (RuntimeException notAnObject) {
      return null;
    }
  }

  private static JsonObject declaration(ToolDefinition tool) {
    JsonObject declaration = new JsonObject().put("name", tool.name());
    if (tool.description() != null) {
      declaration.put("description", tool.description());
    }
    JsonObject parameters = GeminiSchema.convert(tool.inputSchema());
    if (!GeminiSchema.isEmptyObject(parameters)) {
      declaration.put("parameters", parameters);
    }
    return declaration;
  }

  private static JsonObject callingConfig(ToolChoice choice) {
    return switch (choice.mode()) {
      case AUTO -> new JsonObject().put("mode", "AUTO");
      case ANY -> new JsonObject().put("mode", "ANY");
      case NONE -> new JsonObject().put("mode", "NONE");
      case TOOL -> new JsonObject().put("mode", "ANY").put("allowedFunctionNames", new JsonArray().add(choice.name()));
    };
  }

  private static JsonObject generationConfig(UnifiedRequest request) {
    JsonObject config = new JsonObject();
    if (!request.stop().isEmpty()) {
      config.put("stopSequences", new JsonArray(new ArrayList<Object>(request.stop())));
    }
    putIfSet(config, "maxOutputTokens", request.maxTokens());
    putIfSet(config, "temperature", request.temperature());
    putIfSet(config, "topP", request.topP());
    putIfSet(config, "topK", request.topK());
    responseFormat(request.responseFormat(), config);
    Integer budget = thinkingBudget(request.reasoning());
    if (budget != null) {
      JsonObject thinking = new JsonObject().put("thinkingBudget", budget);
      config.put("thinkingConfig", budget == 0 ? thinking : thinking.put("includeThoughts", true));
    }
    return config;
  }

  /** OpenAI {@code response_format}: {@code json_object} asks for JSON, {@code json_schema} for JSON of a schema. */
  private static void responseFormat(JsonObject format, JsonObject config) {
    if (format == null) {
      return;
    }
    Object type = format.getValue("type");
    if ("json_object".equals(type)) {
      config.put("responseMimeType", "application/json");
    } else if ("json_schema".equals(type)) {
      config.put("responseMimeType", "application/json");
      if (format.getValue("json_schema") instanceof JsonObject wrapper && wrapper.getValue("schema") instanceof JsonObject schema) {
        config.put("responseSchema", GeminiSchema.convert(schema));
      }
    }
  }

  /**
   * The explicit budget (0 turns thinking off, -1 lets the model decide: both are Gemini's own values), else one for the
   * OpenAI-style effort; {@code null} leaves thinking to the model's default.
   */
  static Integer thinkingBudget(UnifiedRequest.Reasoning reasoning) {
    if (reasoning == null) {
      return null;
    }
    if (reasoning.budgetTokens() != null) {
      return reasoning.budgetTokens();
    }
    return reasoning.effort() == null ? null : EFFORT_BUDGETS.get(reasoning.effort().toLowerCase(Locale.ROOT));
  }

  private static void putIfSet(JsonObject obj, String key, Object value) {
    if (value != null) {
      obj.put(key, value);
    }
  }
}
