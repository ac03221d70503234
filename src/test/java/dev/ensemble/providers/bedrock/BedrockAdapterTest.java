package dev.ensemble.providers.bedrock;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicFixtures;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.PayloadPart;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BedrockAdapterTest {

  private static final String MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";

  private final BedrockAdapter adapter = new BedrockAdapter();

  @Test
  void sendsTheAnthropicBodyWithBedrocksVersionAndWithoutModelStreamOrMetadata() {
    UnifiedRequest req = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    UpstreamCall call = adapter.toUpstream(req, MODEL);

    JsonObject expected = new JsonObject().put("anthropic_version", "bedrock-2023-05-31");
    AnthropicFixtures.json("requests/cache-control.upstream.json").forEach(f -> {
      if (!List.of("model", "stream", "metadata").contains(f.getKey())) {
        expected.put(f.getKey(), f.getValue());
      }
    });
    assertEquals(expected.toBuffer(), call.body());
    assertEquals(List.of("anthropic_version"), new ArrayList<>(new JsonObject(call.body()).fieldNames()).subList(0, 1));
    assertTrue(call.stream());
  }

  @Test
  void keepsCacheControlBreakpointsIntact() {
    UnifiedRequest req = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    JsonObject body = new JsonObject(adapter.toUpstream(req, MODEL).body());

    JsonArray system = body.getJsonArray("system");
    assertEquals(new JsonObject().put("type", "ephemeral"), system.getJsonObject(0).getJsonObject("cache_control"));
    assertEquals(new JsonObject().put("type", "ephemeral").put("ttl", "1h"), system.getJsonObject(1).getJsonObject("cache_control"));
    assertTrue(body.getJsonArray("messages").encode().contains("\"cache_control\":{\"type\":\"ephemeral\"}"));
  }

  @Test
  void sendsAnInlinePdfAsABase64DocumentBlock() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(
        new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0x"), null, null),
        ContentBlock.Text.of("Summarise.")))).build();

    JsonObject document = new JsonObject(adapter.toUpstream(req, MODEL).body()).getJsonArray("messages").getJsonObject(0)
        .getJsonArray("content").getJsonObject(0);

    assertEquals(new JsonObject().put("type", "document").put("source", new JsonObject().put("type", "base64")
        .put("media_type", "application/pdf").put("data", "JVBERi0x")), document);
  }

  @Test
  void namesTheModelAndOperationInBedrocksPath() {
    UnifiedRequest streamed = UnifiedRequest.builder("m").message(Message.user("hi")).stream(true).build();
    UnifiedRequest whole = UnifiedRequest.builder("m").message(Message.user("hi")).build();

    UpstreamCall streamCall = adapter.toUpstream(streamed, MODEL);
    UpstreamCall wholeCall = adapter.toUpstream(whole, MODEL);

    assertEquals(HttpMethod.POST, wholeCall.method());
    assertEquals("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream", streamCall.path());
    assertEquals("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke", wholeCall.path());
    assertFalse(wholeCall.stream());
    assertEquals("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        wholeCall.body().toString());
    assertEquals("application/json", wholeCall.headers().get("content-type"));
    assertNull(wholeCall.headers().get("authorization"));
  }

  @Test
  void dropsMetadataWhichBedrockRejects() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi")).user("u-1").build();

    assertFalse(new JsonObject(adapter.toUpstream(req, MODEL).body()).containsKey("metadata"));
  }

  @Test
  void encodesTheSameRequestToTheSameBytes() {
    UnifiedRequest req = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    assertEquals(adapter.toUpstream(req, MODEL).body(), adapter.toUpstream(req, MODEL).body());
  }

  @Test
  void inferenceProfileArnsStayOnePathSegment() {
    String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0";

    String path = BedrockAdapter.path(arn, false);

    assertEquals(arn, InvokeTarget.parse("https://bedrock-runtime.us-east-1.amazonaws.com" + path).modelId());
    assertFalse(path.substring("/model/".length(), path.lastIndexOf('/')).contains("/"));
  }

  @Test
  void readsTheTargetBackFromTheUrl() {
    InvokeTarget target = InvokeTarget.parse("http://127.0.0.1:4000" + BedrockAdapter.path(MODEL, true));
    InvokeTarget regional = InvokeTarget.parse(BedrockAdapter.path(MODEL, false));

    assertEquals(new InvokeTarget("http://127.0.0.1:4000", MODEL, true), target);
    assertEquals(new InvokeTarget("", MODEL, false), regional);
  }

  @Test
  void decodesTheAnthropicAnswerWithCacheUsage() {
    UnifiedResponse resp = adapter.fromUpstream(Buffer.buffer(AnthropicFixtures.bytes("responses/tool-use.json")));

    assertEquals(StopReason.TOOL_USE, resp.stopReason());
    assertInstanceOf(ContentBlock.ToolUse.class, resp.content().get(resp.content().size() - 1));
  }

  @Test
  void decodesBedrockChunksTurnedIntoSseFrames() {
    List<String> events = List.of(
        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_01\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2048,\"output_tokens\":1}}}",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}",
        "{\"type\":\"content_block_stop\",\"index\":0}",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}",
        "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,\"outputTokenCount\":5,"
            + "\"invocationLatency\":300,\"firstByteLatency\":100}}");
    StreamDecoder decoder = adapter.newStreamDecoder();
    List<StreamEvent> out = new ArrayList<>();

    for (String event : events) {
      out.addAll(decoder.feed(BedrockTransport.frame(PayloadPart.builder().bytes(SdkBytes.fromUtf8String(event)).build())));
    }
    out.addAll(decoder.finish());

    assertTrue(decoder.completed());
    StreamEvent.ResponseEnd end = assertInstanceOf(StreamEvent.ResponseEnd.class, out.get(out.size() - 1));
    assertEquals(12L, end.usage().input());
    assertEquals(5L, end.usage().output());
    assertEquals(2048L, end.usage().cacheRead());
    assertEquals(0L, end.usage().cacheWrite());
  }

  @Test
  void framesAChunkAsOneSseEventNamedByItsType() {
    Buffer frame = BedrockTransport.frame(PayloadPart.builder().bytes(SdkBytes.fromUtf8String("{\"type\":\"message_stop\"}")).build());

    assertEquals("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", frame.toString());
  }
}
