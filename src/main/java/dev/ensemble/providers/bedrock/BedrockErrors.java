package dev.ensemble.providers.bedrock;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.Map;

/**
 * Bedrock's error vocabulary. The {@link BedrockTransport} turns every error the SDK raises into a response with
 * a status, the header {@value #ERROR_TYPE_HEADER} and the body {@code {"type": <exception name>, "message": ...}};
 * this class classifies such a response by the exception name, never by its message, and falls back to the
 * status for names it does not know. Thread-safe.
 */
public final class BedrockErrors {

  /** The header carrying the exception name, as Bedrock's REST errors do ({@code Name[:namespace]}). */
  public static final String ERROR_TYPE_HEADER = "x-amzn-ErrorType";

  private record Kind(ErrorClass errorClass, int status, String streamType) {}

  private static final Kind RATE_LIMITED = new Kind(ErrorClass.RATE_LIMITED, 429, "rate_limit_error");
  private static final Kind KEY_INVALID = new Kind(ErrorClass.KEY_INVALID, 403, "permission_error");

  private static final Map<String, Kind> KINDS = Map.ofEntries(
      Map.entry("ThrottlingException", RATE_LIMITED),
      Map.entry("ServiceQuotaExceededException", RATE_LIMITED),
      Map.entry("ModelNotReadyException", new Kind(ErrorClass.RETRYABLE, 503, "overloaded_error")),
      Map.entry("ServiceUnavailableException", new Kind(ErrorClass.RETRYABLE, 503, "overloaded_error")),
      Map.entry("ModelTimeoutException", new Kind(ErrorClass.RETRYABLE, 504, "timeout_error")),
      Map.entry("InternalServerException", new Kind(ErrorClass.RETRYABLE, 500, "api_error")),
      Map.entry("ModelErrorException", new Kind(ErrorClass.RETRYABLE, 502, "api_error")),
      Map.entry("ModelStreamErrorException", new Kind(ErrorClass.RETRYABLE, 502, "api_error")),
      Map.entry("ValidationException", new Kind(ErrorClass.PERMANENT, 400, "invalid_request_error")),
      Map.entry("ResourceNotFoundException", new Kind(ErrorClass.PERMANENT, 404, "not_found_error")),
      Map.entry("ConflictException", new Kind(ErrorClass.PERMANENT, 409, "invalid_request_error")),
      Map.entry("AccessDeniedException", KEY_INVALID),
      Map.entry("UnrecognizedClientException", KEY_INVALID),
      Map.entry("InvalidSignatureException", KEY_INVALID),
      Map.entry("IncompleteSignatureException", KEY_INVALID),
      Map.entry("MissingAuthenticationTokenException", KEY_INVALID),
      Map.entry("InvalidClientTokenId", KEY_INVALID),
      Map.entry("ExpiredTokenException", KEY_INVALID),
      Map.entry("ExpiredToken", KEY_INVALID));

  private final Clock clock;

  public BedrockErrors() {
    this(Clock.systemUTC());
  }

  public BedrockErrors(Clock clock) {
    this.clock = clock;
  }

  /**
   * Classifies a failed call: the body's {@code type}, else the {@value #ERROR_TYPE_HEADER} header, names the
   * exception; a known name decides the class and the status reported, an unknown one is classified by status.
   * A wait comes from {@code retry-after(-ms)} when present. Never throws.
   */
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    String type = null;
    String message = null;
    try {
      Object parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
      if (parsed instanceof JsonObject json) {
        type = json.getValue("type") instanceof String t ? t : null;
        Object m = json.getValue("message") != null ? json.getValue("message") : json.getValue("Message");
        message = m instanceof String s ? s : null;
      }
    } catch (RuntimeException unreadable) {
      // named by the header or classified by status alone
    }
    if (type == null && headers != null) {
      type = headerType(headers.get(ERROR_TYPE_HEADER));
    }
    Kind kind = type == null ? null : KINDS.get(type);
    ErrorClass errorClass = kind != null ? kind.errorClass() : byStatus(status);
    int reported = kind != null ? kind.status() : status;
    Long retryAfter = null;
    try {
      retryAfter = headers == null ? null : RetryAfter.millis(headers, clock.instant());
    } catch (RuntimeException unreadable) {
      retryAfter = null;
    }
    return new ProviderError(errorClass, reported, type, message != null ? message : "HTTP " + status, retryAfter);
  }

  /**
   * Anthropic's stream {@code error.type} for a Bedrock exception raised mid-stream, so the Anthropic stream decoder
   * reports it as Anthropic would: throttling a 429, timeouts a 504, unavailability a 503, validation a 400,
   * anything else an {@code api_error}.
   */
  public static String streamErrorType(String exceptionName) {
    Kind kind = exceptionName == null ? null : KINDS.get(exceptionName);
    return kind != null ? kind.streamType() : "api_error";
  }

  private static String headerType(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    int colon = header.indexOf(':');
    return (colon >= 0 ? header.substring(0, colon) : header).trim();
  }

  /**
   * By status alone, except 409: Bedrock's {@code ConflictException} is a client fault that the AWS SDKs' retry
   * policy does not retry (their retryable errors are throttling, transient and 5xx ones), so it is the request's.
   */
  private static ErrorClass byStatus(int status) {
    return status == 409 ? ErrorClass.PERMANENT : ErrorClass.ofStatus(status);
  }
}
