package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestFingerprintTest {

  private static UnifiedRequest.Builder ask(String text) {
    return UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(ContentBlock.Text.of(text))));
  }

  private static String exact(UnifiedRequest r) {
    return RequestFingerprint.of("p|client:a", r).exactKey();
  }

  @Test
  void whatDoesNotChangeTheAnswerDoesNotChangeTheKey() {
    String base = exact(ask("hi").build());
    assertEquals(base, exact(ask("hi").stream(true).includeUsage(true).build()));
    assertEquals(base, exact(ask("hi").user("end-user-7").build()));
    assertEquals(base, exact(UnifiedRequest.builder("m").message(new Message(Role.USER,
        List.of(new ContentBlock.Text("hi", new JsonObject().put("type", "ephemeral"))))).build()), "cache_control breakpoints");
  }

  @Test
  void everythingThatChangesTheAnswerChangesTheKey() {
    String base = exact(ask("hi").build());
    List<UnifiedRequest> variants = List.of(
        ask("hi").model("other").build(),
        ask("hi!").build(),
        ask("hi").system(ContentBlock.Text.of("be brief")).build(),
        ask("hi").tool(new ToolDefinition("lookup", "d", new JsonObject().put("type", "object"), null)).build(),
        ask("hi").toolChoice(ToolChoice.auto()).build(),
        ask("hi").maxTokens(10).build(),
        ask("hi").temperature(0.0).build(),
        ask("hi").topP(0.5).build(),
        ask("hi").topK(5).build(),
        ask("hi").stop("END").build(),
        ask("hi").reasoning(new UnifiedRequest.Reasoning(1024, null)).build(),
        ask("hi").responseFormat(new JsonObject().put("type", "json_object")).build(),
        ask("earlier").message(new Message(Role.ASSISTANT, List.of(ContentBlock.Text.of("ok")))).message(new Message(Role.USER,
            List.of(ContentBlock.Text.of("hi")))).build());
    for (UnifiedRequest v : variants) {
      assertNotEquals(base, exact(v), v.toString());
    }
    assertNotEquals(base, RequestFingerprint.of("p|client:b", ask("hi").build()).exactKey(), "another client");
  }

  @Test
  void theContextIsEverythingButTheLastUserTurn() {
    RequestFingerprint a = RequestFingerprint.of("p", ask("How do I reset my password?").build());
    RequestFingerprint b = RequestFingerprint.of("p", ask("How can I reset my password?").build());
    RequestFingerprint c = RequestFingerprint.of("p", ask("How can I reset my password?").system(ContentBlock.Text.of("x")).build());

    assertEquals(a.contextKey(), b.contextKey());
    assertNotEquals(a.exactKey(), b.exactKey());
    assertNotEquals(a.contextKey(), c.contextKey());
    assertEquals("How can I reset my password?", b.lastUserText());
  }

  @Test
  void aToolResultTurnIsNotTextSoAgentLoopsNeverHitSemantically() {
    UnifiedRequest loop = ask("find it").message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("t1", "lookup", "{}", null))))
        .message(new Message(Role.USER, List.of(new ContentBlock.ToolResult("t1", List.of(ContentBlock.Text.of("42")), false, null))))
        .build();
    assertFalse(RequestFingerprint.lastUserTurnIsText(loop));
    assertTrue(RequestFingerprint.lastUserTurnIsText(ask("plain").build()));
  }
}
