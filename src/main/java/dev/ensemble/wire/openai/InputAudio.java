package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.JsonFields.path;
import static dev.ensemble.wire.openai.JsonFields.requireObject;
import static dev.ensemble.wire.openai.JsonFields.requireString;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * OpenAI's {@code input_audio} content part, {@code {"data": "<base64>", "format": "wav" | "mp3"}}, and the
 * unified model's audio document it stands for: a base64 {@link ContentBlock.Document} of media type
 * {@code audio/wav} or {@code audio/mpeg}. Other audio media types have no {@code format} here.
 */
final class InputAudio {

  static final String WAV = "audio/wav";
  static final String MPEG = "audio/mpeg";

  private InputAudio() {
  }

  /** A client's {@code input_audio} part at {@code path} as an audio document. */
  static ContentBlock.Document decode(JsonObject part, String path, JsonObject cacheControl) {
    String audioPath = path(path, "input_audio");
    JsonObject audio = requireObject(part, "input_audio", path);
    String data = requireString(audio, "data", audioPath);
    String format = requireString(audio, "format", audioPath);
    String mediaType = switch (format) {
      case "wav" -> WAV;
      case "mp3" -> MPEG;
      default -> throw GatewayError.invalid(path(audioPath, "format"), "must be 'wav' or 'mp3', got '" + format + "'");
    };
    String problem = base64Problem(data);
    if (problem != null) {
      throw GatewayError.invalid(path(audioPath, "data"), problem);
    }
    return new ContentBlock.Document(MediaSource.base64(mediaType, data), null, cacheControl);
  }

  /**
   * An inline audio document as an upstream {@code input_audio} part.
   *
   * @throws GatewayError 400 when its media type has no {@code input_audio} format
   */
  static JsonObject encode(ContentBlock.Document doc) {
    MediaSource source = doc.source();
    String format = format(source.mediaType());
    if (format == null) {
      throw GatewayError.of(ErrorType.INVALID_REQUEST,
          source.mediaType() + " audio cannot be sent to OpenAI-format providers, which take wav and mp3 only");
    }
    return new JsonObject().put("type", "input_audio")
        .put("input_audio", new JsonObject().put("data", source.data()).put("format", format));
  }

  /**
   * The {@code format} an inline audio document of {@code mediaType} is sent with, or null when OpenAI's
   * {@code input_audio} has none for it ({@code audio/x-wav} and {@code audio/mp3} count as wav and mp3).
   */
  static String format(String mediaType) {
    if (mediaType == null) {
      return null;
    }
    return switch (mediaType.toLowerCase(Locale.ROOT)) {
      case WAV, "audio/x-wav", "audio/wave", "audio/vnd.wave" -> "wav";
      case MPEG, "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3" -> "mp3";
      default -> null;
    };
  }

  private static String base64Problem(String data) {
    if (data.startsWith("data:")) {
      return "must be plain base64, without a data: URL prefix";
    }
    return MediaSource.base64Problem(data, "audio");
  }
}
