package dev.ensemble.wire.gemini;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GeminiErrorsTest {

  private final GeminiErrors errors = new GeminiErrors();

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "429, rate-limited.json,        RATE_LIMITED, RESOURCE_EXHAUSTED",
      "503, unavailable.json,         RETRYABLE,    UNAVAILABLE",
      "500, internal.json,            RETRYABLE,    INTERNAL",
      "504, deadline.json,            RETRYABLE,    DEADLINE_EXCEEDED",
      "400, api-key-invalid.json,     KEY_INVALID,  API_KEY_INVALID",
      "401, unauthenticated.json,     KEY_INVALID,  UNAUTHENTICATED",
      "403, permission-denied.json,   KEY_INVALID,  PERMISSION_DENIED",
      "400, invalid-argument.json,    PERMANENT,    INVALID_ARGUMENT",
      "404, not-found.json,           PERMANENT,    NOT_FOUND",
      "400, failed-precondition.json, PERMANENT,    FAILED_PRECONDITION",
  })
  void classifiesByCanonicalStatusAndErrorInfoReason(int status, String file, ErrorClass expected, String type) {
    ProviderError error = errors.classify(status, MultiMap.caseInsensitiveMultiMap(), GeminiFixtures.buffer("errors/" + file));
    assertEquals(expected, error.errorClass());
    assertEquals(type, error.type());
    assertEquals(status, error.status());
  }

  @Test
  void aQuotaErrorWaitsTheRetryInfoDelay() {
    ProviderError error = errors.classify(429, MultiMap.caseInsensitiveMultiMap().add("retry-after", "90"),
        GeminiFixtures.buffer("errors/rate-limited.json"));
    assertEquals(27_500L, error.retryAfterMillis(), "RetryInfo wins over a retry-after header");
    assertEquals(true, error.message().startsWith("You exceeded your current quota"));
  }

  @Test
  void withoutRetryInfoTheRetryAfterHeaderCounts() {
    ProviderError error = errors.classify(429, MultiMap.caseInsensitiveMultiMap().add("retry-after", "4"),
        Buffer.buffer("{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
    assertEquals(4_000L, error.retryAfterMillis());
  }

  @Test
  void theKeyIsJudgedByTheErrorInfoReasonNotTheMessage() {
    ProviderError notKey = errors.classify(400, null, Buffer.buffer(
        "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\"}}"));
    assertEquals(ErrorClass.PERMANENT, notKey.errorClass());
  }

  @Test
  void unreadableBodiesFallBackToTheHttpStatus() {
    assertEquals(ErrorClass.RATE_LIMITED, errors.classify(429, null, Buffer.buffer("<html>")).errorClass());
    assertEquals(ErrorClass.RETRYABLE, errors.classify(502, null, null).errorClass());
    assertEquals(ErrorClass.KEY_INVALID, errors.classify(403, null, Buffer.buffer("")).errorClass());
    assertEquals(ErrorClass.PERMANENT, errors.classify(413, null, Buffer.buffer("[]")).errorClass());
    assertNull(errors.classify(400, null, Buffer.buffer("{\"error\":7}")).type());
  }

  @Test
  void anErrorWrappedInAnArrayIsRead() {
    ProviderError error = errors.classify(429, null, Buffer.buffer("[" + GeminiFixtures.text("errors/rate-limited.json") + "]"));
    assertEquals(ErrorClass.RATE_LIMITED, error.errorClass());
    assertEquals(27_500L, error.retryAfterMillis());
  }

  @Test
  void readsProtobufDurations() {
    assertEquals(3_000L, GeminiErrors.duration("3s"));
    assertEquals(250L, GeminiErrors.duration("0.250s"));
    assertEquals(1L, GeminiErrors.duration("0.000000001s"));
    assertNull(GeminiErrors.duration("3"));
    assertNull(GeminiErrors.duration("-1s"));
    assertNull(GeminiErrors.duration("xs"));
  }

  @Test
  void a409IsRetriedWhenAbortedAndTheRequestsFaultWhenItAlreadyExists() {
    ProviderError aborted = errors.classify(409, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer("{\"error\":{\"code\":409,\"message\":\"aborted\",\"status\":\"ABORTED\"}}"));
    ProviderError exists = errors.classify(409, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer("{\"error\":{\"code\":409,\"message\":\"exists\",\"status\":\"ALREADY_EXISTS\"}}"));
    ProviderError bare = errors.classify(409, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer());

    assertEquals(ErrorClass.RETRYABLE, aborted.errorClass());
    assertEquals(ErrorClass.PERMANENT, exists.errorClass());
    assertEquals(ErrorClass.RETRYABLE, bare.errorClass(), "a bare 409 reads as ABORTED, Google's retryable conflict");
  }
}
