package dev.ensemble.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorClassTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "429, RATE_LIMITED",
      "401, KEY_INVALID",
      "403, KEY_INVALID",
      "408, RETRYABLE",
      "409, RETRYABLE",
      "500, RETRYABLE",
      "503, RETRYABLE",
      "529, RETRYABLE",
      "200, RETRYABLE",
      "400, PERMANENT",
      "404, PERMANENT",
      "413, PERMANENT",
      "422, PERMANENT",
  })
  void aStatusTheProviderDidNotExplainIsClassifiedByItsHttpMeaning(int status, ErrorClass expected) {
    assertEquals(expected, ErrorClass.ofStatus(status));
  }
}
