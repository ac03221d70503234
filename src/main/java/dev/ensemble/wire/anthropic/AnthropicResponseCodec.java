package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static dev.ensemble.wire.anthropic.JsonFields.path;

/**
 * The Anthropic Messages response format, both ways: an upstream's message into a {@link UnifiedResponse},
 * and a unified response into the message a client gets. Stateless and thread-safe.
 *
 * <p>Upstream content blocks of types the unified model has no place for (server tool use, web search
 * results, ...) are skipped.
 */
public final class AnthropicResponseCodec {

  private final JsonFields fields = JsonFields.UPSTREAM;
  private final BlockReader reader = new BlockReader(JsonFields.UPSTREAM);
  private final BlockWriter writer = new BlockWriter();

  /**
   * An upstream message read in one pass by the {@link MessageScanner}, with the body's bytes kept for an Anthropic
   * client ({@link UnifiedResponse#upstreamBody()}); null when the body is to be read as a tree ({@link #decode(JsonObject)}),
   * which decides about anything unusual (a tool call among them) and words the errors.
   */
  public UnifiedResponse decode(Buffer body) {
    byte[] bytes = body.getBytes();
    MessageScanner.Message m = new MessageScanner.Message();
    if (!new MessageScanner().read(bytes, bytes.length, m)) {
      return null;
    }
    Usage usage = m.hasUsage ? new Usage(m.input, m.output, m.cacheRead, m.cacheWrite) : Usage.UNKNOWN;
    return new UnifiedResponse(m.id, m.model, m.blocks, StopReasons.read(m.stopReason), m.stopSequence, usage)
        .withUpstreamBody(new UpstreamBody("anthropic", body, m.idStart, m.idEnd, m.modelStart, m.modelEnd, -1, -1));
  }

  /**
   * Decodes an upstream Anthropic message.
   *
   * @throws UpstreamProtocolException when {@code content} is missing or a field has the wrong type
   */
  public UnifiedResponse decode(JsonObject body) {
    if (body == null) {
      throw new UpstreamProtocolException("response body is not a JSON object");
    }
    JsonArray content = fields.optArray(body, "content", "");
    if (content == null) {
      throw new UpstreamProtocolException("content: missing from the response");
    }
    List<ContentBlock> blocks = new ArrayList<>(content.size());
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = fields.objectAt(content, i, "content");
      String type = fields.requireString(block, "type", path("content", i));
      if (BlockReader.ASSISTANT_TYPES.contains(type)) {
        blocks.add(reader.block(block, path("content", i), BlockReader.ASSISTANT_TYPES, "a response"));
      }
    }
    return new UnifiedResponse(
        fields.optString(body, "id", ""),
        fields.optString(body, "model", ""),
        blocks,
        StopReasons.read(fields.optString(body, "stop_reason", "")),
        fields.optString(body, "stop_sequence", ""),
        UsageFields.read(fields.optObject(body, "usage", ""), "usage"));
  }

  /** Renders {@code resp} as the message a client gets, under the gateway's id and the client's model name. */
  public JsonObject encode(UnifiedResponse resp, ResponseContext ctx) {
    JsonArray content = new JsonArray();
    for (ContentBlock block : resp.content()) {
      content.add(writer.block(block));
    }
    return new JsonObject()
        .put("id", "msg_" + ctx.requestId())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", ctx.model())
        .put("content", content)
        .put("stop_reason", StopReasons.write(resp.stopReason()))
        .put("stop_sequence", resp.stopSequence())
        .put("usage", UsageFields.full(resp.usage()));
  }
}
