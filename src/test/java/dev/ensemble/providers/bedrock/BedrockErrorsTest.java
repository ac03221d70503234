package dev.ensemble.providers.bedrock;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ProviderError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BedrockErrorsTest {

  private final BedrockErrors errors = new BedrockErrors();

  @ParameterizedTest(name = "{0} ({1}) -> {2} {3}")
  @CsvSource({
      "ThrottlingException, 429, RATE_LIMITED, 429",
      "ServiceQuotaExceededException, 400, RATE_LIMITED, 429",
      "ModelNotReadyException, 429, RETRYABLE, 503",
      "ServiceUnavailableException, 503, RETRYABLE, 503",
      "ModelTimeoutException, 408, RETRYABLE, 504",
      "InternalServerException, 500, RETRYABLE, 500",
      "ModelErrorException, 424, RETRYABLE, 502",
      "ModelStreamErrorException, 424, RETRYABLE, 502",
      "ValidationException, 400, PERMANENT, 400",
      "ResourceNotFoundException, 404, PERMANENT, 404",
      "AccessDeniedException, 403, KEY_INVALID, 403",
      "UnrecognizedClientException, 403, KEY_INVALID, 403",
      "ExpiredTokenException, 403, KEY_INVALID, 403",
      "InvalidSignatureException, 403, KEY_INVALID, 403",
  })
  void classifiesByExceptionName(String name, int status, ErrorClass expected, int reported) {
    ProviderError error = errors.classify(status, MultiMap.caseInsensitiveMultiMap(), body(name, "whatever the text says"));

    assertEquals(expected, error.errorClass());
    assertEquals(reported, error.status());
    assertEquals(name, error.type());
    assertEquals("whatever the text says", error.message());
  }

  @Test
  void readsTheNameFromTheErrorTypeHeaderWhenTheBodyHasNone() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");

    ProviderError error = errors.classify(400, headers, Buffer.buffer("{\"message\":\"Too many requests\"}"));

    assertEquals(ErrorClass.RATE_LIMITED, error.errorClass());
    assertEquals("ThrottlingException", error.type());
    assertEquals("Too many requests", error.message());
  }

  @Test
  void messageTextNeverDecides() {
    ProviderError error = errors.classify(400, MultiMap.caseInsensitiveMultiMap(), body("ValidationException", "Too many tokens, throttled"));

    assertEquals(ErrorClass.PERMANENT, error.errorClass());
  }

  @ParameterizedTest
  @CsvSource({"429, RATE_LIMITED", "403, KEY_INVALID", "401, KEY_INVALID", "500, RETRYABLE", "408, RETRYABLE", "400, PERMANENT", "413, PERMANENT"})
  void unknownNamesAreClassifiedByStatus(int status, ErrorClass expected) {
    assertEquals(expected, errors.classify(status, MultiMap.caseInsensitiveMultiMap(), body("SomethingNewException", "x")).errorClass());
    assertEquals(expected, errors.classify(status, null, Buffer.buffer("not json")).errorClass());
  }

  @Test
  void honoursRetryAfter() {
    ProviderError error = errors.classify(429, MultiMap.caseInsensitiveMultiMap().add("retry-after", "3"), body("ThrottlingException", "slow down"));

    assertEquals(3000L, error.retryAfterMillis());
    assertNull(errors.classify(429, MultiMap.caseInsensitiveMultiMap(), body("ThrottlingException", "x")).retryAfterMillis());
  }

  @ParameterizedTest
  @CsvSource({
      "ThrottlingException, rate_limit_error",
      "ModelTimeoutException, timeout_error",
      "ServiceUnavailableException, overloaded_error",
      "ValidationException, invalid_request_error",
      "ModelStreamErrorException, api_error",
      "InternalServerException, api_error",
      "Unheard, api_error",
  })
  void mapsStreamExceptionsToAnthropicErrorTypes(String name, String anthropicType) {
    assertEquals(anthropicType, BedrockErrors.streamErrorType(name));
  }

  private static Buffer body(String type, String message) {
    return new JsonObject().put("type", type).put("message", message).toBuffer();
  }

  @Test
  void aConflictIsTheRequestsFaultAsTheAwsSdksDoNotRetryIt() {
    ProviderError named = errors.classify(409, MultiMap.caseInsensitiveMultiMap(), body("ConflictException", "conflict"));
    ProviderError bare = errors.classify(409, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer());

    assertEquals(ErrorClass.PERMANENT, named.errorClass());
    assertEquals(409, named.status());
    assertEquals(ErrorClass.PERMANENT, bare.errorClass());
  }
}
