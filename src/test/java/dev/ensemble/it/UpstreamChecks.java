package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.gateway.GatewayExtension;
import java.util.Map;

/** What every request that reached the fake upstream must look like, whichever SDK sent the original. */
final class UpstreamChecks {

  /** The key every SDK in these tests sends to the gateway. */
  static final String CLIENT_KEY = "any";

  private UpstreamChecks() {
  }

  /** The upstream path and credential of {@code model} in the standard test config. */
  static void assertReachedUpstreamOf(String model, RecordedRequest request) {
    if (model.startsWith("gpt")) {
      assertEquals("/v1/chat/completions", request.path());
      assertEquals("Bearer " + GatewayExtension.OPENAI_KEY, request.header("authorization"));
      assertEquals("gpt-4o-mini", request.json().getString("model"));
    } else {
      assertEquals("/v1/messages", request.path());
      assertEquals(GatewayExtension.ANTHROPIC_KEY, request.header("x-api-key"));
      assertNull(request.header("authorization"), "the Anthropic upstream gets x-api-key only");
      assertEquals("claude-sonnet-4-5-20250929", request.json().getString("model"));
    }
    assertClientKeyNotForwarded(request);
  }

  static void assertClientKeyNotForwarded(RecordedRequest request) {
    for (Map.Entry<String, String> header : request.headers()) {
      String value = header.getValue();
      assertFalse(value.equals(CLIENT_KEY) || value.endsWith(" " + CLIENT_KEY),
          "the client's gateway key reached the upstream in " + header.getKey());
    }
  }

  static boolean isAnthropic(String model) {
    return model.startsWith("claude");
  }
}
