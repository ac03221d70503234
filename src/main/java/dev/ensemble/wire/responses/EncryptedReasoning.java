package dev.ensemble.wire.responses;

import dev.ensemble.model.ContentBlock;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The rule for a reasoning item's {@code encrypted_content}, which coding agents (Codex: {@code store: false},
 * {@code include: ["reasoning.encrypted_content"]}) send back on every turn.
 *
 * <p>Ensemble mints it: an answer's thinking block that carries provider state (an Anthropic signature or a
 * redacted block) is returned as {@code "ensemble:v1:" + base64(JSON {thinking, signature, redacted})}, and such
 * an item sent back becomes that thinking block again, so an Anthropic target gets its signed thinking back in a
 * tool-use loop. Every other {@code encrypted_content} is one OpenAI's own Responses API minted: a request carrying
 * it (or asking for it with {@code include: ["reasoning.encrypted_content"]}) goes to an OpenAI target of the model as
 * is, through its Responses API, which reads it back and mints the next one; on any other target (Anthropic, Gemini,
 * Bedrock, an OpenAI-compatible server speaking only Chat Completions) such an item is dropped, since no other
 * provider can read it. Dropping it costs the model its earlier hidden reasoning, never the conversation. Ensemble's
 * own items are in turn left out of what goes to OpenAI ({@link NativeNeeds}), which could not read them.
 */
final class EncryptedReasoning {

  static final String PREFIX = "ensemble:v1:";

  private EncryptedReasoning() {
  }

  /** The content to hand out for {@code thinking}, or null when it carries nothing a provider needs back. */
  static String mint(ContentBlock.Thinking thinking) {
    if (thinking.signature() == null && thinking.redactedData() == null) {
      return null;
    }
    JsonObject state = new JsonObject().put("thinking", thinking.thinking()).put("signature", thinking.signature())
        .put("redacted", thinking.redactedData());
    return PREFIX + Base64.getEncoder().encodeToString(state.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The thinking block Ensemble minted {@code content} from, or null for content it did not mint (dropped). */
  static ContentBlock.Thinking read(String content) {
    if (content == null || !content.startsWith(PREFIX)) {
      return null;
    }
    try {
      JsonObject state = new JsonObject(new String(Base64.getDecoder().decode(content.substring(PREFIX.length())), StandardCharsets.UTF_8));
      return new ContentBlock.Thinking(state.getString("thinking"), state.getString("signature"), state.getString("redacted"));
    } catch (RuntimeException malformed) {
      return null;
    }
  }
}
