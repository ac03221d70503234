package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An OpenAI upstream's stream passed through to an OpenAI client: the upstream's bytes, with only the gateway's id,
 * the client's model name and the gateway's creation time spliced in, whatever the chunking; the unified events
 * (and so usage and the stop reason) are decoded all the same.
 */
class OpenAiPassThroughTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-alias", 1_700_000_000L);

  private static final String HEAD = "{\"id\":\"chatcmpl-up\\\"x\",\"object\":\"chat.completion.chunk\",\"created\":1699999999,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\",\"choices\":";
  private static final String UPSTREAM = ""
      + "data: " + HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,"
      + "\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"abc\"}\n\n"
      + "data: " + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"Hé\\\"llo\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
      + "data:" + HEAD + "[{\"index\":0,\"delta\":{\"content\":\" wörld 😀\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
      + "data: " + HEAD + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
      + ": keep-alive\n\n"
      + "data: " + HEAD + "[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":4,\"total_tokens\":34,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":10}}}\n\n"
      + "data: [DONE]\n\n";

  private static final String SPLICED_HEAD = HEAD.replace("\"chatcmpl-up\\\"x\"", "\"chatcmpl-req_1\"")
      .replace("1699999999", "1700000000").replace("gpt-4o-mini-2024-07-18", "my-alias");

  @Test
  void passesTheUpstreamBytesThroughWithTheGatewaysIdModelAndTimeWhereverTheStreamIsCut() {
    String expected = UPSTREAM.replace(HEAD, SPLICED_HEAD).replace("data:{", "data: {").replace("}\r\n\r\n", "}\n\n")
        .replace(": keep-alive\n\n", "");
    byte[] bytes = UPSTREAM.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      Relayed relayed = relay(true, Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length));
      assertEquals(expected, relayed.client, "cut at " + cut);
      assertEquals("Hé\"llo wörld 😀", relayed.text());
      assertEquals(new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(20L, 4L, 10L, null), null),
          relayed.events.get(relayed.events.size() - 1), "usage and stop reason are still read, cut at " + cut);
    }
  }

  @Test
  void leavesTheUsageChunkOutWhenTheClientDidNotAskForIt() {
    Relayed relayed = relay(false, UPSTREAM.getBytes(StandardCharsets.UTF_8));

    assertFalse(relayed.client.contains("prompt_tokens"), relayed.client);
    assertTrue(relayed.client.endsWith("\"finish_reason\":\"stop\"}],\"usage\":null}\n\ndata: [DONE]\n\n"), relayed.client);
    assertEquals(new Usage(20L, 4L, 10L, null), ((StreamEvent.ResponseEnd) relayed.events.get(relayed.events.size() - 1)).usage());
  }

  @Test
  void anUpstreamErrorChunkIsRenderedByTheGatewayNotPassedThrough() {
    String upstream = UPSTREAM.substring(0, UPSTREAM.indexOf("data: ", 10))
        + "data: {\"error\":{\"message\":\"overloaded upstream\",\"type\":\"server_error\"}}\n\n";

    Relayed relayed = relay(true, upstream.getBytes(StandardCharsets.UTF_8));

    assertTrue(relayed.client.startsWith("data: " + SPLICED_HEAD), relayed.client);
    assertFalse(relayed.client.contains("overloaded upstream\",\"type\":\"server_error\"}}"), relayed.client);
    assertTrue(relayed.client.endsWith("\"code\":\"upstream_error\"}}\n\n"), relayed.client);
    assertTrue(relayed.events.get(relayed.events.size() - 1) instanceof StreamEvent.Error);
  }

  @Test
  void aStreamClosedAfterItsUsageWithoutDoneGetsTheGatewaysDone() {
    String upstream = UPSTREAM.substring(0, UPSTREAM.indexOf("data: [DONE]"));

    Relayed relayed = relay(true, upstream.getBytes(StandardCharsets.UTF_8));

    assertTrue(relayed.client.endsWith("\"cached_tokens\":10}}}\n\ndata: [DONE]\n\n"), relayed.client);
  }

  @Test
  void framesThatTheGatewaysValuesMakeFarLongerThanTheUpstreamsArePassedWholeInOneRead() {
    ResponseContext longer = new ResponseContext("r".repeat(300), "m".repeat(500), 1_700_000_000L);
    String head = "{\"id\":\"c\",\"created\":1,\"model\":\"g\",\"choices\":";
    StringBuilder upstream = new StringBuilder();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      upstream.append("data: ").append(head).append("[{\"delta\":{\"content\":\"").append(i % 10).append("\"}}]}\n\n");
      text.append(i % 10);
    }
    upstream.append("data: ").append(head).append("[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
        .append("data: ").append(head).append("[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":200,\"total_tokens\":203}}\n\n")
        .append("data: [DONE]\n\n");
    String spliced = "{\"id\":\"chatcmpl-" + "r".repeat(300) + "\",\"created\":1700000000,\"model\":\"" + "m".repeat(500)
        + "\",\"choices\":";

    Relayed relayed = relay(longer, true, upstream.toString().getBytes(StandardCharsets.UTF_8));

    assertEquals(upstream.toString().replace(head, spliced), relayed.client);
    assertEquals(text.toString(), relayed.text());
    assertEquals(new Usage(3L, 200L, null, null), ((StreamEvent.ResponseEnd) relayed.events.get(relayed.events.size() - 1)).usage());
  }

  private record Relayed(String client, List<StreamEvent> events) {
    String text() {
      StringBuilder text = new StringBuilder();
      events.stream().filter(e -> e instanceof StreamEvent.BlockDelta).forEach(e -> text.append(((StreamEvent.BlockDelta) e).text()));
      return text.toString();
    }
  }

  /** What the gateway does per upstream read: decode, render each event, then send what is pending. */
  private static Relayed relay(boolean includeUsage, byte[]... reads) {
    return relay(CTX, includeUsage, reads);
  }

  private static Relayed relay(ResponseContext ctx, boolean includeUsage, byte[]... reads) {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(ctx, includeUsage, new OpenAiErrors());
    assertTrue(encoder.relayFrom(decoder));
    Buffer client = Buffer.buffer();
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] read : reads) {
      send(decoder.feed(Buffer.buffer(read)), encoder, client, events);
    }
    send(decoder.finish(), encoder, client, events);
    return new Relayed(client.toString(StandardCharsets.UTF_8), events);
  }

  private static void send(List<StreamEvent> decoded, OpenAiStreamEncoder encoder, Buffer client, List<StreamEvent> events) {
    for (StreamEvent event : decoded) {
      events.add(event);
      client.appendBuffer(encoder.encode(event));
    }
    client.appendBuffer(encoder.pending());
  }
}
