package dev.ensemble.wire.anthropic;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AnthropicErrorsTest {

  private static final Instant NOW = Instant.parse("2025-10-01T12:00:00Z");

  private final AnthropicErrors errors = new AnthropicErrors(Clock.fixed(NOW, ZoneOffset.UTC));

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "429, rate-limit.json, RATE_LIMITED, rate_limit_error",
      "529, overloaded.json, RETRYABLE, overloaded_error",
      "503, overloaded.json, RETRYABLE, overloaded_error",
      "500, api-error.json, RETRYABLE, api_error",
      "401, authentication.json, KEY_INVALID, authentication_error",
      "400, invalid-request.json, PERMANENT, invalid_request_error"
  })
  void classifiesAnthropicErrorFixtures(int status, String fixture, ErrorClass expected, String type) {
    ProviderError error = errors.classify(status, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer(AnthropicFixtures.bytes("errors/" + fixture)));

    assertEquals(expected, error.errorClass());
    assertEquals(status, error.status());
    assertEquals(type, error.type());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "403, permission_error, KEY_INVALID",
      "404, not_found_error, PERMANENT",
      "413, request_too_large, PERMANENT",
      "402, billing_error, KEY_INVALID",
      "504, timeout_error, RETRYABLE",
      "400, overloaded_error, RETRYABLE",
      "500, invalid_request_error, PERMANENT",
      "418, teapot_error, PERMANENT",
      "502, mystery_error, RETRYABLE",
      "429, mystery_error, RATE_LIMITED"
  })
  void errorTypeDecidesOverStatusWhenKnown(int status, String type, ErrorClass expected) {
    Buffer body = new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", "Overloaded, rate limited, invalid x-api-key")).toBuffer();

    assertEquals(expected, errors.classify(status, MultiMap.caseInsensitiveMultiMap(), body).errorClass());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "503|<html>Service Unavailable</html>|RETRYABLE",
      "529||RETRYABLE",
      "502|{\"error\":\"bad gateway\"}|RETRYABLE",
      "429|rate limited|RATE_LIMITED",
      "401|[]|KEY_INVALID",
      "403||KEY_INVALID",
      "400|{\"type\":\"error\",\"error\":{\"type\":5}}|PERMANENT",
      "404|not found|PERMANENT",
      "408||RETRYABLE"
  })
  void classifiesUnreadableBodiesByStatus(int status, String body, ErrorClass expected) {
    ProviderError error = errors.classify(status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body == null ? "" : body));

    assertEquals(expected, error.errorClass());
    assertNull(error.type());
  }

  @Test
  void successfulResponseWithAUsedUpLimitSaysWhenItResets() {
    MultiMap used = MultiMap.caseInsensitiveMultiMap()
        .add("anthropic-ratelimit-requests-remaining", "0").add("anthropic-ratelimit-requests-reset", "2025-10-01T12:00:30Z")
        .add("anthropic-ratelimit-output-tokens-remaining", "0").add("anthropic-ratelimit-output-tokens-reset", "2025-10-01T12:00:45Z")
        .add("anthropic-ratelimit-tokens-remaining", "1200").add("anthropic-ratelimit-tokens-reset", "2025-10-01T12:01:00Z");
    MultiMap plenty = MultiMap.caseInsensitiveMultiMap()
        .add("anthropic-ratelimit-requests-remaining", "49").add("anthropic-ratelimit-requests-reset", "2025-10-01T12:00:30Z");

    assertEquals(45_000L, errors.exhaustedForMillis(used));
    assertEquals(null, errors.exhaustedForMillis(plenty));
  }

  @Test
  void rateLimitWaitComesFromRetryAfter() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("retry-after", "7")
        .add("anthropic-ratelimit-requests-reset", "2025-10-01T12:00:01Z");

    ProviderError error = errors.classify(429, headers, Buffer.buffer(AnthropicFixtures.bytes("errors/rate-limit.json")));

    assertEquals(ErrorClass.RATE_LIMITED, error.errorClass());
    assertEquals(7000L, error.retryAfterMillis());
  }

  @Test
  void rateLimitWaitFallsBackToEarliestResetHeader() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("anthropic-ratelimit-requests-reset", "2025-10-01T12:00:30Z")
        .add("anthropic-ratelimit-tokens-reset", "2025-10-01T12:00:04.500Z")
        .add("anthropic-ratelimit-input-tokens-reset", "2025-10-01T14:00:12+02:00")
        .add("anthropic-ratelimit-output-tokens-reset", "not a date");

    ProviderError error = errors.classify(429, headers, Buffer.buffer(AnthropicFixtures.bytes("errors/rate-limit.json")));

    assertEquals(4500L, error.retryAfterMillis());
  }

  @Test
  void resetInThePastMeansNoWaitAndNoHeadersMeansUnknown() {
    MultiMap past = MultiMap.caseInsensitiveMultiMap().add("anthropic-ratelimit-tokens-reset", "2025-10-01T11:59:00Z");

    assertEquals(0L, errors.classify(429, past, Buffer.buffer()).retryAfterMillis());
    assertNull(errors.classify(429, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer()).retryAfterMillis());
  }

  @Test
  void neverThrows() {
    ProviderError error = errors.classify(500, null, null);

    assertEquals(ErrorClass.RETRYABLE, error.errorClass());
    assertEquals("HTTP 500", error.message());
  }

  @ParameterizedTest
  @CsvSource({
      "INVALID_REQUEST, invalid_request_error",
      "AUTHENTICATION, authentication_error",
      "PERMISSION, permission_error",
      "NOT_FOUND, not_found_error",
      "REQUEST_TOO_LARGE, request_too_large",
      "RATE_LIMITED, rate_limit_error",
      "INTERNAL, api_error",
      "UPSTREAM_ERROR, api_error",
      "UPSTREAM_AUTH_FAILED, api_error",
      "OVERLOADED, overloaded_error",
      "UPSTREAM_TIMEOUT, api_error"
  })
  void encodesGatewayErrorsInAnthropicVocabulary(ErrorType type, String wire) {
    JsonObject body = errors.encode(GatewayError.of(type, "went wrong"));

    assertEquals(new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", wire).put("message", "went wrong")), body);
  }

  @Test
  void encodesInvalidRequestWithItsParam() {
    JsonObject body = errors.encode(GatewayError.invalid("messages[0].role", "must be 'user' or 'assistant'"));

    assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages[0].role: must be 'user' or 'assistant'\"}}",
        body.encode());
    assertEquals("overloaded_error", AnthropicErrors.errorType(529));
  }

  @Test
  void a409ConflictIsRetriedElsewhereAsAnthropicsSdksRetryIt() {
    ProviderError named = errors.classify(409, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer("{\"type\":\"error\",\"error\":{\"type\":\"conflict_error\",\"message\":\"conflict\"}}"));
    ProviderError bare = errors.classify(409, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer());

    assertEquals(ErrorClass.RETRYABLE, named.errorClass());
    assertEquals(ErrorClass.RETRYABLE, bare.errorClass());
  }
}
