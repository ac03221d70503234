package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What every request that reached the fake upstream must look like, whichever SDK sent the original. */
final class UpstreamChecks {

  static final String ADMIN_KEY = "admin-sdk-it-0123456789";

  /** The gateway key the SDKs of a test class send: a real client's, created once per gateway. */
  private static final Map<GatewayExtension, String> CLIENT_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

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

  static String clientKey(GatewayExtension gateway) {
    return CLIENT_KEYS.computeIfAbsent(gateway, g -> g.createClient(ADMIN_KEY, new JsonObject().put("name", "sdk-it")).getString("key"));
  }

  static void assertClientKeyNotForwarded(RecordedRequest request) {
    for (String key : CLIENT_KEYS.values()) {
      for (Map.Entry<String, String> header : request.headers()) {
        String value = header.getValue();
        assertFalse(value.contains(key), "the client's gateway key reached the upstream in " + header.getKey());
      }
      assertFalse(request.bodyText().contains(key), "the client's gateway key reached the upstream in the body");
    }
  }

  static boolean isAnthropic(String model) {
    return model.startsWith("claude");
  }

  /** The {@code role} of each message, in order. */
  static List<String> roles(JsonArray messages) {
    List<String> roles = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      roles.add(messages.getJsonObject(i).getString("role"));
    }
    return roles;
  }

  /** The one content block of {@code type} in an Anthropic message. */
  static JsonObject onlyBlockOfType(JsonObject message, String type) {
    JsonObject found = null;
    for (Object block : message.getJsonArray("content")) {
      if (type.equals(((JsonObject) block).getString("type"))) {
        assertNull(found, "one " + type + " block expected in " + message.encode());
        found = (JsonObject) block;
      }
    }
    assertNotNull(found, "no " + type + " block in " + message.encode());
    return found;
  }

  /** The text of a string, or of an array of text blocks or parts (Anthropic {@code system}, OpenAI content). */
  static String textOf(Object content) {
    if (content instanceof String) {
      return (String) content;
    }
    StringBuilder text = new StringBuilder();
    for (Object block : (JsonArray) content) {
      text.append(((JsonObject) block).getString("text", ""));
    }
    return text.toString();
  }
}
