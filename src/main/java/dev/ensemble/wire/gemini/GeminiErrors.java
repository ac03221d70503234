package dev.ensemble.wire.gemini;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Set;

/**
 * Classifies failed Gemini calls from the Google API error body
 * {@code {"error":{"code","message","status","details":[...]}}} (also accepted wrapped in a one-element array,
 * as {@code streamGenerateContent} without {@code alt=sse} sends it): the canonical {@code status}, the
 * {@code reason} of a {@code google.rpc.ErrorInfo} detail and the {@code retryDelay} of a
 * {@code google.rpc.RetryInfo} detail, never the message text. Thread-safe.
 *
 * <ul>
 *   <li>ErrorInfo reason {@code API_KEY_INVALID} (Gemini answers a bad key with 400 {@code INVALID_ARGUMENT}),
 *       {@code API_KEY_EXPIRED}, {@code API_KEY_SERVICE_BLOCKED} ..., {@code UNAUTHENTICATED},
 *       {@code PERMISSION_DENIED}, HTTP 401/403 -> {@link ErrorClass#KEY_INVALID};
 *   <li>{@code RESOURCE_EXHAUSTED}, HTTP 429 -> {@link ErrorClass#RATE_LIMITED}, waiting the RetryInfo delay, else
 *       {@code retry-after};
 *   <li>{@code UNAVAILABLE}, {@code INTERNAL}, {@code UNKNOWN}, {@code DEADLINE_EXCEEDED}, {@code ABORTED},
 *       {@code CANCELLED}, HTTP 408/409/5xx -> {@link ErrorClass#RETRYABLE};
 *   <li>{@code INVALID_ARGUMENT}, {@code NOT_FOUND}, {@code FAILED_PRECONDITION}, {@code OUT_OF_RANGE},
 *       {@code UNIMPLEMENTED}, other 4xx -> {@link ErrorClass#PERMANENT}.
 * </ul>
 */
public final class GeminiErrors {

  private static final String ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
  private static final String RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
  private static final Set<String> KEY_REASONS = Set.of("API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED",
      "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "API_KEY_ANDROID_APP_BLOCKED", "API_KEY_IOS_APP_BLOCKED",
      "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED", "CONSUMER_SUSPENDED", "SERVICE_DISABLED");

  private final Clock clock;

  public GeminiErrors() {
    this(Clock.systemUTC());
  }

  /** With the clock used to read HTTP-date {@code retry-after} headers. */
  public GeminiErrors(Clock clock) {
    this.clock = clock;
  }

  /** Never throws. */
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    JsonObject error = errorObject(body);
    String canonical = error == null ? null : text(error.getValue("status"));
    String message = error == null ? null : text(error.getValue("message"));
    JsonArray details = error != null && error.getValue("details") instanceof JsonArray d ? d : new JsonArray();
    String reason = detailText(details, ERROR_INFO, "reason");
    ErrorClass errorClass = classOf(status, canonical, reason);
    Long retryAfter = null;
    if (errorClass == ErrorClass.RATE_LIMITED || errorClass == ErrorClass.RETRYABLE) {
      retryAfter = duration(detailText(details, RETRY_INFO, "retryDelay"));
      if (retryAfter == null && headers != null) {
        try {
          retryAfter = RetryAfter.millis(headers, clock.instant());
        } catch (RuntimeException unreadable) {
          retryAfter = null;
        }
      }
    }
    String type = errorClass == ErrorClass.KEY_INVALID && reason != null ? reason : canonical;
    return new ProviderError(errorClass, status, type, message != null ? message : "HTTP " + status, retryAfter);
  }

  /** The gateway error for an {@code error} frame inside a stream, chosen by its canonical status. */
  static GatewayError streamError(Object value) {
    JsonObject error = value instanceof JsonObject e ? e : new JsonObject();
    String canonical = text(error.getValue("status"));
    String message = text(error.getValue("message"));
    String text = "upstream stream error" + (message == null || message.isEmpty() ? "" : ": " + message);
    if (canonical == null) {
      return GatewayError.of(ErrorType.UPSTREAM_ERROR, text);
    }
    return switch (canonical) {
      case "RESOURCE_EXHAUSTED" -> GatewayError.of(ErrorType.RATE_LIMITED, text);
      case "UNAVAILABLE" -> new GatewayError(ErrorType.OVERLOADED, 503, text, true, null, null);
      case "DEADLINE_EXCEEDED" -> GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, text);
      case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> GatewayError.of(ErrorType.INVALID_REQUEST, text);
      default -> GatewayError.of(ErrorType.UPSTREAM_ERROR, text);
    };
  }

  private static ErrorClass classOf(int status, String canonical, String reason) {
    if (reason != null && KEY_REASONS.contains(reason)) {
      return ErrorClass.KEY_INVALID;
    }
    if (canonical != null) {
      switch (canonical) {
        case "RESOURCE_EXHAUSTED":
          return ErrorClass.RATE_LIMITED;
        case "UNAUTHENTICATED":
        case "PERMISSION_DENIED":
          return ErrorClass.KEY_INVALID;
        case "UNAVAILABLE":
        case "INTERNAL":
        case "UNKNOWN":
        case "DEADLINE_EXCEEDED":
        case "ABORTED":
        case "CANCELLED":
          return ErrorClass.RETRYABLE;
        case "INVALID_ARGUMENT":
        case "NOT_FOUND":
        case "FAILED_PRECONDITION":
        case "OUT_OF_RANGE":
        case "UNIMPLEMENTED":
        case "ALREADY_EXISTS":
          return ErrorClass.PERMANENT;
        default:
          break;
      }
    }
    return ErrorClass.ofStatus(status);
  }

  /** A protobuf JSON Duration ({@code "3s"}, {@code "0.250s"}, {@code "27.123456789s"}) in millis, or null. */
  static Long duration(String value) {
    if (value == null || !value.endsWith("s")) {
      return null;
    }
    try {
      BigDecimal seconds = new BigDecimal(value.substring(0, value.length() - 1).trim());
      return seconds.signum() < 0 ? null : seconds.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException | NumberFormatException unreadable) {
      return null;
    }
  }

  private static String detailText(JsonArray details, String type, String field) {
    for (Object value : details) {
      if (value instanceof JsonObject detail && type.equals(detail.getValue("@type"))) {
        String text = text(detail.getValue(field));
        if (text != null) {
          return text;
        }
      }
    }
    return null;
  }

  private static JsonObject errorObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object parsed = Json.decodeValue(body);
      if (parsed instanceof JsonArray array && array.size() == 1) {
        parsed = array.getValue(0);
      }
      if (parsed instanceof JsonObject obj && obj.getValue("error") instanceof JsonObject error) {
        return error;
      }
    } catch (RuntimeException notJson) {
      // classified by status alone
    }
    return null;
  }

  private static String text(Object value) {
    return value instanceof String s ? s : null;
  }
}
