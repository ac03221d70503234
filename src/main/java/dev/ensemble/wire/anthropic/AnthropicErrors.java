package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Anthropic's error vocabulary: renders gateway errors as Anthropic error bodies for clients, and classifies
 * the errors of an Anthropic upstream for the router, from the status, the headers and {@code error.type}
 * (never from the message text). Thread-safe.
 */
public final class AnthropicErrors {

  /** Rate-limit reset headers (RFC 3339 instants), read when a 429 carries no {@code retry-after}. */
  static final List<String> RESET_HEADERS = List.of(
      "anthropic-ratelimit-requests-reset",
      "anthropic-ratelimit-tokens-reset",
      "anthropic-ratelimit-input-tokens-reset",
      "anthropic-ratelimit-output-tokens-reset");

  private final Clock clock;

  public AnthropicErrors() {
    this(Clock.systemUTC());
  }

  public AnthropicErrors(Clock clock) {
    this.clock = clock;
  }

  /** {@code {"type":"error","error":{"type":...,"message":...}}}, the type chosen from the error's status. */
  public JsonObject encode(GatewayError e) {
    return new JsonObject()
        .put("type", "error")
        .put("error", new JsonObject().put("type", errorType(e.status())).put("message", e.getMessage()));
  }

  /** Anthropic's {@code error.type} for an HTTP status. */
  public static String errorType(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /**
   * Classifies a failed Anthropic call. {@code error.type} decides when it is one Anthropic documents,
   * otherwise the status does. A 429's wait comes from {@code retry-after(-ms)}, else from the earliest
   * {@code anthropic-ratelimit-*-reset} header. Never throws.
   */
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    String type = null;
    String message = null;
    try {
      Object parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
      if (parsed instanceof JsonObject json && json.getValue("error") instanceof JsonObject error) {
        type = error.getValue("type") instanceof String t ? t : null;
        message = error.getValue("message") instanceof String m ? m : null;
      }
    } catch (RuntimeException unreadable) {
      // classified by status alone
    }
    ErrorClass errorClass = classOf(type, status);
    Long retryAfter = null;
    try {
      if (headers != null) {
        Instant now = clock.instant();
        retryAfter = RetryAfter.millis(headers, now);
        if (retryAfter == null && errorClass == ErrorClass.RATE_LIMITED) {
          retryAfter = earliestReset(headers, now);
        }
      }
    } catch (RuntimeException unreadable) {
      retryAfter = null;
    }
    return new ProviderError(errorClass, status, type, message != null ? message : "HTTP " + status, retryAfter);
  }

  /**
   * The gateway error for an error an Anthropic upstream reported inside a stream ({@code event: error}):
   * {@code overloaded_error} is a retryable 503, {@code rate_limit_error} a 429, {@code timeout_error} a 504,
   * {@code invalid_request_error} a 400, anything else a retryable 502.
   */
  static GatewayError streamError(String type, String message) {
    String text = message != null ? message : "upstream reported " + (type == null ? "an error" : type);
    if (type == null) {
      return GatewayError.of(ErrorType.UPSTREAM_ERROR, text);
    }
    return switch (type) {
      case "overloaded_error" -> new GatewayError(ErrorType.OVERLOADED, 503, text, true, null, null);
      case "rate_limit_error" -> GatewayError.of(ErrorType.RATE_LIMITED, text);
      case "timeout_error" -> GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, text);
      case "invalid_request_error", "request_too_large" -> GatewayError.of(ErrorType.INVALID_REQUEST, text);
      default -> GatewayError.of(ErrorType.UPSTREAM_ERROR, text);
    };
  }

  private static ErrorClass classOf(String type, int status) {
    if (type != null) {
      switch (type) {
        case "rate_limit_error":
          return ErrorClass.RATE_LIMITED;
        case "overloaded_error":
        case "api_error":
        case "timeout_error":
          return ErrorClass.RETRYABLE;
        case "authentication_error":
        case "permission_error":
        case "billing_error":
          return ErrorClass.KEY_INVALID;
        case "invalid_request_error":
        case "not_found_error":
        case "request_too_large":
          return ErrorClass.PERMANENT;
        default:
          break;
      }
    }
    return ErrorClass.ofStatus(status);
  }

  /**
   * See {@link dev.ensemble.providers.ProviderAdapter#exhaustedForMillis}: for each limit whose
   * {@code anthropic-ratelimit-<limit>-remaining} is 0, the time to its {@code -reset}; the latest of them.
   * Never throws.
   */
  public Long exhaustedForMillis(MultiMap headers) {
    Instant now = clock.instant();
    Long wait = null;
    for (String limit : new String[] {"requests", "tokens", "input-tokens", "output-tokens"}) {
      String remaining = headers.get("anthropic-ratelimit-" + limit + "-remaining");
      String reset = headers.get("anthropic-ratelimit-" + limit + "-reset");
      if (remaining == null || reset == null || !remaining.trim().equals("0")) {
        continue;
      }
      try {
        long ms = Math.max(0L, Duration.between(now, OffsetDateTime.parse(reset.trim()).toInstant()).toMillis());
        wait = wait == null ? ms : Math.max(wait, ms);
      } catch (DateTimeParseException unreadable) {
        // skip this limit
      }
    }
    return wait;
  }

  private static Long earliestReset(MultiMap headers, Instant now) {
    Instant earliest = null;
    for (String name : RESET_HEADERS) {
      String value = headers.get(name);
      if (value == null) {
        continue;
      }
      try {
        Instant at = OffsetDateTime.parse(value.trim()).toInstant();
        if (earliest == null || at.isBefore(earliest)) {
          earliest = at;
        }
      } catch (DateTimeParseException unreadable) {
        // skip this header
      }
    }
    return earliest == null ? null : Math.max(0L, Duration.between(now, earliest).toMillis());
  }
}
