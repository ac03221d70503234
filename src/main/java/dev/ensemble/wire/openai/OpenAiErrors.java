package dev.ensemble.wire.openai;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.Set;
import java.util.function.Supplier;

/**
 * OpenAI error bodies, both ways: {@link #encode} renders a gateway error in OpenAI's vocabulary for a
 * client, {@link #classify} reads an OpenAI-format upstream's failure. Thread-safe.
 */
public final class OpenAiErrors {

  private static final String INSUFFICIENT_QUOTA = "insufficient_quota";
  private static final Set<String> BILLING_CODES = Set.of(INSUFFICIENT_QUOTA, "credit_balance_exhausted",
      "organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded");

  private final Clock clock;

  public OpenAiErrors() {
    this(Clock.systemUTC());
  }

  /** With the clock used to read HTTP-date {@code retry-after} headers. */
  public OpenAiErrors(Clock clock) {
    this.clock = clock;
  }

  /**
   * {@code {"error":{"message","type","param","code"}}}. Types follow OpenAI's documented vocabulary:
   * {@code invalid_request_error} (400, 404 with code {@code model_not_found}, 413 with
   * {@code request_too_large}), {@code authentication_error} ({@code invalid_api_key}),
   * {@code permission_error}, {@code rate_limit_error} with code {@code rate_limit_exceeded} (OpenAI's own
   * 429s carry that code; their type varies, and SDKs key on the status), {@code server_error} for 5xx,
   * whose code names the gateway's reason ({@code upstream_auth_failed}, {@code upstream_timeout}, ...).
   */
  public JsonObject encode(GatewayError e) {
    String type;
    String code = null;
    switch (e.type()) {
      case INVALID_REQUEST -> type = "invalid_request_error";
      case AUTHENTICATION -> {
        type = "authentication_error";
        code = "invalid_api_key";
      }
      case PERMISSION -> type = "permission_error";
      case NOT_FOUND -> {
        type = "invalid_request_error";
        code = "model".equals(e.param()) ? "model_not_found" : "not_found";
      }
      case REQUEST_TOO_LARGE -> {
        type = "invalid_request_error";
        code = "request_too_large";
      }
      case RATE_LIMITED -> {
        type = "rate_limit_error";
        code = "rate_limit_exceeded";
      }
      case INTERNAL -> type = "server_error";
      default -> {
        type = "server_error";
        code = e.type().wireName();
      }
    }
    return new JsonObject().put("error", new JsonObject()
        .put("message", e.getMessage())
        .put("type", type)
        .put("param", e.param())
        .put("code", code));
  }

  /**
   * Classifies a failed OpenAI-format upstream call from its status, headers and {@code error.type} /
   * {@code error.code} (never the message text). Never throws.
   *
   * <ul>
   *   <li>429 -> {@link ErrorClass#RATE_LIMITED}, waiting {@code retry-after-ms} / {@code retry-after}, else
   *       the reset of the exhausted limit ({@code x-ratelimit-reset-requests} / {@code -tokens}).
   *   <li>429 {@code insufficient_quota} (and its billing codes such as {@code credit_balance_exhausted}):
   *       the key is valid but its account has no money left. It is {@link ErrorClass#RATE_LIMITED} with no
   *       retry-after, not {@link ErrorClass#KEY_INVALID}: the right move is the same as for a rate limit
   *       (serve the request from the pool's next key at once), while disabling the key would need an
   *       operator to re-enable it after the billing is fixed; the rate-limit reset headers do not apply to
   *       it, so none is reported.
   *   <li>401, 403 -> {@link ErrorClass#KEY_INVALID}.
   *   <li>408, 409, 5xx (and a status that is no error at all) -> {@link ErrorClass#RETRYABLE}; other 4xx (400 {@code context_length_exceeded},
   *       {@code content_policy_violation}, 404, 413, 422) -> {@link ErrorClass#PERMANENT}.
   * </ul>
   */
  /** See {@link dev.ensemble.providers.ProviderAdapter#exhaustedForMillis}. Never throws. */
  public Long exhaustedForMillis(MultiMap headers) {
    try {
      return RateLimitReset.exhaustedMillis(headers);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    JsonObject error = errorObject(body);
    String type = field(error, "type");
    String code = field(error, "code");
    String message = field(error, "message");
    String reported = code != null ? code : type;
    if (message == null) {
      message = "upstream returned HTTP " + status;
    }
    MultiMap h = headers == null ? MultiMap.caseInsensitiveMultiMap() : headers;
    if (status == 429) {
      if (INSUFFICIENT_QUOTA.equals(type) || (code != null && BILLING_CODES.contains(code))) {
        return new ProviderError(ErrorClass.RATE_LIMITED, status, reported, message, null);
      }
      Long wait = retryAfter(h);
      return new ProviderError(ErrorClass.RATE_LIMITED, status, reported, message,
          wait != null ? wait : safe(() -> RateLimitReset.millis(h)));
    }
    ErrorClass errorClass = ErrorClass.ofStatus(status);
    return new ProviderError(errorClass, status, reported, message, errorClass == ErrorClass.RETRYABLE ? retryAfter(h) : null);
  }

  private Long retryAfter(MultiMap headers) {
    return safe(() -> RetryAfter.millis(headers, clock.instant()));
  }

  private static Long safe(Supplier<Long> read) {
    try {
      return read.get();
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static JsonObject errorObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object parsed = Json.decodeValue(body);
      if (parsed instanceof JsonObject obj && obj.getValue("error") instanceof JsonObject error) {
        return error;
      }
    } catch (RuntimeException notJson) {
      // classified by status alone
    }
    return null;
  }

  private static String field(JsonObject error, String name) {
    if (error == null) {
      return null;
    }
    Object value = error.getValue(name);
    return value instanceof String s ? s : value instanceof Number n ? n.toString() : null;
  }
}
