package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

class OpenAiErrorsTest {

  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  private final OpenAiErrors errors = new OpenAiErrors(Clock.fixed(NOW, ZoneOffset.UTC));

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(nullValues = "-", value = {
      "429, rate-limit.json,              retry-after=2,                                 RATE_LIMITED, rate_limit_exceeded,      2000",
      "429, rate-limit.json,              retry-after-ms=1500,                           RATE_LIMITED, rate_limit_exceeded,      1500",
      "429, rate-limit.json,              x-ratelimit-remaining-tokens=0;x-ratelimit-reset-tokens=6m0s;x-ratelimit-reset-requests=20ms, RATE_LIMITED, rate_limit_exceeded, 360000",
      "429, rate-limit.json,              x-ratelimit-reset-tokens=1.5s;x-ratelimit-reset-requests=20ms, RATE_LIMITED, rate_limit_exceeded, 1500",
      "429, rate-limit.json,              -,                                             RATE_LIMITED, rate_limit_exceeded,      -",
      "429, insufficient-quota.json,      retry-after=20,                                RATE_LIMITED, insufficient_quota,       -",
      "401, invalid-api-key.json,         -,                                             KEY_INVALID,  invalid_api_key,          -",
      "403, -,                            -,                                             KEY_INVALID,  -,                        -",
      "400, context-length-exceeded.json, -,                                             PERMANENT,    context_length_exceeded,  -",
      "404, -,                            -,                                             PERMANENT,    -,                        -",
      "413, -,                            -,                                             PERMANENT,    -,                        -",
      "422, -,                            -,                                             PERMANENT,    -,                        -",
      "408, -,                            -,                                             RETRYABLE,    -,                        -",
      "409, -,                            -,                                             RETRYABLE,    -,                        -",
      "500, server-error.json,            -,                                             RETRYABLE,    server_error,             -",
      "503, overloaded.json,              retry-after=3,                                 RETRYABLE,    server_is_overloaded,     3000",
  })
  void classifiesUpstreamFailures(int status, String fixture, String headers, ErrorClass expected, String type, Long retryAfter) {
    Buffer body = fixture == null ? Buffer.buffer() : Buffer.buffer(Fixtures.bytes("providers/openai/errors/" + fixture));
    ProviderError error = errors.classify(status, headers(headers), body);
    assertEquals(expected, error.errorClass());
    assertEquals(status, error.status());
    assertEquals(type, error.type());
    assertEquals(retryAfter, error.retryAfterMillis());
  }

  @Test
  void classifiesUnparseableBodiesByStatusWithoutThrowing() {
    for (String body : new String[] {"<html>502 Bad Gateway</html>", "{\"error\":\"oops\"}", "[1,2]", "{\"error\":{\"code\":42}}"}) {
      ProviderError error = assertDoesNotThrow(() -> errors.classify(502, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body)));
      assertEquals(ErrorClass.RETRYABLE, error.errorClass());
    }
    assertEquals(ErrorClass.PERMANENT, errors.classify(400, null, null).errorClass());
    assertEquals(ErrorClass.RATE_LIMITED,
        errors.classify(429, headers("retry-after=soon;x-ratelimit-reset-requests=banana"), Buffer.buffer("nope")).errorClass());
    assertNull(errors.classify(429, headers("retry-after=soon"), Buffer.buffer("nope")).retryAfterMillis());
  }

  @Test
  void readsHttpDateRetryAfter() {
    ProviderError error = errors.classify(429, headers("retry-after=Wed, 01 Jan 2025 00:00:05 GMT"), Buffer.buffer());
    assertEquals(5000L, error.retryAfterMillis());
  }

  @Test
  void parsesGoDurations() {
    assertEquals(1000L, RateLimitReset.parse("1s"));
    assertEquals(360000L, RateLimitReset.parse("6m0s"));
    assertEquals(20L, RateLimitReset.parse("20ms"));
    assertEquals(3723500L, RateLimitReset.parse("1h2m3.5s"));
    assertEquals(1L, RateLimitReset.parse("250us"));
    assertNull(RateLimitReset.parse("soon"));
    assertNull(RateLimitReset.parse("1s garbage"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
      "INVALID_REQUEST,      invalid_request_error, -",
      "AUTHENTICATION,       authentication_error,  invalid_api_key",
      "PERMISSION,           permission_error,      -",
      "NOT_FOUND,            invalid_request_error, not_found",
      "REQUEST_TOO_LARGE,    invalid_request_error, request_too_large",
      "RATE_LIMITED,         rate_limit_error,      rate_limit_exceeded",
      "INTERNAL,             server_error,          -",
      "UPSTREAM_ERROR,       server_error,          upstream_error",
      "UPSTREAM_AUTH_FAILED, server_error,          upstream_auth_failed",
      "OVERLOADED,           server_error,          overloaded",
      "UPSTREAM_TIMEOUT,     server_error,          upstream_timeout",
  })
  void encodesGatewayErrorsInOpenAiVocabulary(ErrorType type, String openAiType, String code) {
    JsonObject body = errors.encode(GatewayError.of(type, "boom"));
    assertEquals(new JsonObject().put("error", new JsonObject()
        .put("message", "boom").put("type", openAiType).put("param", null).put("code", code)), body);
  }

  @Test
  void successfulResponseWithAUsedUpLimitSaysWhenItResets() {
    assertEquals(20_000L, errors.exhaustedForMillis(headers("x-ratelimit-remaining-requests=0;x-ratelimit-reset-requests=20s;"
        + "x-ratelimit-remaining-tokens=9000;x-ratelimit-reset-tokens=1s")));
    assertEquals(61_000L, errors.exhaustedForMillis(headers("x-ratelimit-remaining-requests=0;x-ratelimit-reset-requests=20s;"
        + "x-ratelimit-remaining-tokens=0;x-ratelimit-reset-tokens=1m1s")));
    assertNull(errors.exhaustedForMillis(headers("x-ratelimit-remaining-requests=5;x-ratelimit-reset-requests=20s")));
  }

  @Test
  void unknownModelIsModelNotFound() {
    GatewayError unknownModel = new GatewayError(ErrorType.NOT_FOUND, 404, "no such model", false, null, "model");
    assertEquals("model_not_found", errors.encode(unknownModel).getJsonObject("error").getString("code"));
  }

  @Test
  void encodesInvalidRequestWithItsParam() {
    assertEquals("{\"error\":{\"message\":\"messages[0].role: unknown role 'x'\",\"type\":\"invalid_request_error\","
        + "\"param\":\"messages[0].role\",\"code\":null}}",
        errors.encode(GatewayError.invalid("messages[0].role", "unknown role 'x'")).encode());
  }

  private static MultiMap headers(String spec) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (spec != null) {
      for (String pair : spec.split(";")) {
        int eq = pair.indexOf('=');
        headers.add(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return headers;
  }
}
