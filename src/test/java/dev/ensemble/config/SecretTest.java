package dev.ensemble.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretTest {

  @Test
  void masksToPrefixAndLastFourCharacters() {
    assertEquals("sk-...1234", new Secret("sk-ant-secret-value-1234").masked());
    assertEquals("sk-...wxyz", new Secret("sk-proj-abcdefghijklmnopqrstuvwxyz").masked());
  }

  @Test
  void keepsNoPrefixWhenTheFirstDashIsNotNearTheStart() {
    assertEquals("...0004", new Secret("admin-test-key-0004").masked());
    assertEquals("...mnop", new Secret("abcdefghijklmnop").masked());
  }

  @Test
  void hidesShortSecretsCompletely() {
    assertEquals("****", new Secret("hunter2").masked());
    assertEquals("****", new Secret("12345678").masked());
    assertEquals("****", new Secret("sk-123456789").masked(), "would show 7 of 12 characters");
  }

  @Test
  void showsTheTailOnlyWhenAtLeastEightCharactersStayHidden() {
    String secret = "sk-abcdefgh1234";
    String masked = new Secret(secret).masked();
    assertEquals("sk-...1234", masked);
    assertEquals(8, secret.length() - "sk-".length() - "1234".length());
  }

  @Test
  void emptyAndNullAreEmpty() {
    assertTrue(new Secret("").isEmpty());
    assertTrue(new Secret(null).isEmpty());
    assertEquals("", new Secret(null).value());
    assertEquals("", Secret.EMPTY.masked());
    assertEquals("", Secret.EMPTY.toString());
  }

  @Test
  void toStringNeverShowsTheValue() {
    Secret secret = new Secret("sk-ant-secret-value-1234");
    assertEquals("****", secret.toString());
    assertFalse(String.valueOf(secret).contains("1234"));
  }

  @Test
  void recordsHoldingSecretsDoNotLeakThemThroughToString() {
    ProviderConfig.KeyConfig key = new ProviderConfig.KeyConfig("primary", new Secret("sk-ant-secret-value-1234"), 1.0,
        List.of(new ProviderConfig.EndpointConfig("anthropic-1", null, null, "", "")));
    ServerConfig server = new ServerConfig("127.0.0.1", 8080, 1024, new Secret("admin-secret-value-5678"), false, false,
        new Secret("metrics-secret-value-9012"), ServerConfig.DEFAULT_REQUEST_TIMEOUT_MS, ServerConfig.DEFAULT_HEADER_READ_TIMEOUT_MS,
        ServerConfig.DEFAULT_BODY_READ_TIMEOUT_MS, ServerConfig.DEFAULT_IDLE_TIMEOUT_MS,
        ServerConfig.DEFAULT_DRAIN_TIMEOUT_MS, ServerConfig.DEFAULT_DRAIN_GRACE_MS);
    assertFalse(key.toString().contains("secret-value"), key.toString());
    assertFalse(server.toString().contains("secret-value"), server.toString());
  }

  @Test
  void secretsWithTheSameValueAreEqual() {
    assertEquals(new Secret("sk-ant-secret-value-1234"), new Secret("sk-ant-secret-value-1234"));
  }
}
