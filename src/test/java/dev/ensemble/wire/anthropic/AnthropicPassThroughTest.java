package dev.ensemble.wire.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.testing.JsonCorruptions;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An Anthropic-format upstream's event stream passed through to an Anthropic client: the upstream's events byte for
 * byte (pings, block indices, blocks the unified model skips, its usage in {@code message_delta}), with only the
 * message's id and model in {@code message_start} replaced by the gateway's, whatever the chunking; the unified events
 * (and so usage, the stop reason, the journal and the ledger) are decoded exactly as without the pass-through.
 */
class AnthropicPassThroughTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-alias", 1_700_000_000L);

  /** Spaced as the API reference shows it: a rendering from a tree would not give these bytes. */
  private static final String START = "{\"type\": \"message_start\", \"message\": {\"id\": \"msg_01X\\\"y\", \"type\": \"message\","
      + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
      + "\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":10,\"output_tokens\":1,"
      + "\"service_tier\":\"standard\"}}}";
  private static final String SPLICED_START = START.replace("\"msg_01X\\\"y\"", "\"msg_req_1\"")
      .replace("\"claude-sonnet-4-5-20250929\"", "\"my-alias\"");

  /** As Anthropic sends it (docs.anthropic.com, "Streaming Messages"), with a redacted thinking block and a tool call. */
  private static final String UPSTREAM = ""
      + "event: message_start\ndata: " + START + "\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\","
      + "\"thinking\":\"\",\"signature\":\"\"}}\n\n"
      + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
      + "\"thinking\":\"Let me think\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
      + "\"signature\":\"EqQBCgIYAhIM\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"redacted_thinking\","
      + "\"data\":\"EmwKAhgBEgy3\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hé\\\"llo\"}}\n\n"
      + "event: content_block_delta\r\ndata:{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\",\"text\":\" wörld 😀\"}}\r\n\r\n"
      + ": keep-alive\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\","
      + "\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\","
      + "\"partial_json\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}\n\n"
      + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
      + "\"usage\":{\"output_tokens\":89}}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  /** The upstream's bytes with the gateway's id and model, SSE framing as the gateway writes it (LF, "data: ", no comments). */
  private static final String EXPECTED = UPSTREAM.replace(START, SPLICED_START).replace("data:{", "data: {").replace("\r\n", "\n")
      .replace(": keep-alive\n\n", "");

  @Test
  void passesTheUpstreamEventsThroughWithTheGatewaysIdAndModelWhereverTheStreamIsCut() {
    byte[] bytes = UPSTREAM.getBytes(StandardCharsets.UTF_8);
    List<StreamEvent> unrelayed = decodeOnly(bytes);
    for (int cut = 0; cut <= bytes.length; cut++) {
      Relayed relayed = relay(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length));
      assertEquals(EXPECTED, relayed.client, "cut at " + cut);
      assertEquals(unrelayed, relayed.events, "the unified events are decoded as without the pass-through, cut at " + cut);
    }
    StreamEvent.ResponseEnd end = (StreamEvent.ResponseEnd) unrelayed.get(unrelayed.size() - 1);
    assertEquals(new StreamEvent.ResponseEnd(StopReason.TOOL_USE, null, new Usage(25L, 89L, 10L, 0L), null), end,
        "the usage is read exactly: message_start's input and cache counts, message_delta's output");
  }

  @Test
  void anUpstreamErrorEventIsRenderedByTheGatewayNotPassedThrough() {
    String upstream = UPSTREAM.substring(0, UPSTREAM.indexOf("event: content_block_stop"))
        + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"api_error\", \"message\": \"Internal upstream\"}}\n\n";

    Relayed relayed = relay(upstream.getBytes(StandardCharsets.UTF_8));

    assertTrue(relayed.client.startsWith("event: message_start\ndata: " + SPLICED_START + "\n\n"), relayed.client);
    assertFalse(relayed.client.contains("\"type\": \"api_error\""), relayed.client);
    assertTrue(relayed.client.endsWith("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}\n\n"
        + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal upstream\"}}\n\n"),
        relayed.client);
    assertTrue(relayed.events.get(relayed.events.size() - 1) instanceof StreamEvent.Error);
  }

  @Test
  void aMessageStartTheScannerCannotPlaceIsRenderedFromItsTreeWithTheGatewaysIdAndModel() {
    String odd = START.replace("\"model\":", "\"mod\\u0065l\":");
    String upstream = UPSTREAM.replace(START, odd);

    Relayed relayed = relay(upstream.getBytes(StandardCharsets.UTF_8));

    String first = relayed.client.substring(0, relayed.client.indexOf("\n\n"));
    JsonObject data = new JsonObject(first.substring(first.indexOf("data: ") + 6));
    JsonObject expected = new JsonObject(odd);
    expected.getJsonObject("message").put("id", "msg_req_1").put("model", "my-alias");
    assertEquals(expected, data);
    assertEquals(EXPECTED.substring(EXPECTED.indexOf("\n\n")), relayed.client.substring(relayed.client.indexOf("\n\n")),
        "every other event passes as it came");
  }

  @Test
  void nothingPassesAfterMessageStopAndEventsTheGatewayDoesNotKnowPassAsTheyCame() {
    String unknown = "event: content_block_citation\ndata: {\"type\":\"content_block_citation\",\"index\":2}\n\n";
    String upstream = UPSTREAM.replace("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n",
        unknown + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n")
        + "event: ping\ndata: {\"type\": \"ping\"}\n\n";

    Relayed relayed = relay(upstream.getBytes(StandardCharsets.UTF_8));

    assertTrue(relayed.client.contains(unknown), relayed.client);
    assertTrue(relayed.client.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), relayed.client);
  }

  /**
   * Random corruptions of real events fall back to the tree path: the pass-through decodes the same unified events and
   * fails with the same error as a decoder that does not pass through, and what it passes is the upstream's events
   * (message_start with the gateway's id and model), never bytes of a read that failed.
   */
  @Test
  void randomCorruptionsOfRealEventsDecodeAsWithoutThePassThroughAndPassOnlyWhatDecoded() {
    String[] events = UPSTREAM.replace("\r\n", "\n").replace("data:{", "data: {").replace(": keep-alive\n\n", "").split("\n\n");
    for (int i = 0; i < events.length; i++) {
      int which = i;
      String head = events[i].substring(0, events[i].indexOf("data: ") + 6);
      JsonCorruptions.each(List.of(events[i].substring(head.length())), 300, (corrupted, what) -> {
        String data = new String(corrupted, StandardCharsets.UTF_8);
        if (data.contains("\n") || data.contains("\r")) {
          return; // a line break makes other SSE lines, not a corrupted event
        }
        StringBuilder stream = new StringBuilder();
        for (int e = 0; e < events.length; e++) {
          stream.append(e == which ? head + data : events[e]).append("\n\n");
        }
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        String plain = outcome(() -> decodeOnly(bytes));
        Relayed[] relayed = new Relayed[1];
        String passed = outcome(() -> {
          relayed[0] = relay(bytes);
          return relayed[0].events;
        });
        assertEquals(plain, passed, what);
        if (relayed[0] != null) {
          assertPassedAsSent(stream.toString(), relayed[0].client, what);
        }
      });
    }
  }

  @Test
  void eventsThatTheGatewaysValuesMakeFarLongerThanTheUpstreamsArePassedWholeInOneRead() {
    ResponseContext longer = new ResponseContext("r".repeat(3000), "m".repeat(5000), 1_700_000_000L);
    String expected = UPSTREAM.replace(START, START.replace("\"msg_01X\\\"y\"", "\"msg_" + "r".repeat(3000) + "\"")
            .replace("\"claude-sonnet-4-5-20250929\"", "\"" + "m".repeat(5000) + "\""))
        .replace("data:{", "data: {").replace("\r\n", "\n").replace(": keep-alive\n\n", "");

    Relayed relayed = relay(longer, UPSTREAM.getBytes(StandardCharsets.UTF_8));

    assertEquals(expected, relayed.client);
    assertEquals(decodeOnly(UPSTREAM.getBytes(StandardCharsets.UTF_8)), relayed.events);
  }

  /** Each event the client got is the upstream's (message_start with the gateway's values), up to the gateway's error if any. */
  private static void assertPassedAsSent(String upstream, String client, String what) {
    String[] sent = upstream.split("\n\n");
    String[] got = client.split("\n\n");
    int i = 0;
    for (String event : got) {
      if (event.startsWith("event: error\n") && !Arrays.asList(sent).contains(event)) {
        continue; // the gateway's own
      }
      while (i < sent.length && (sent[i].startsWith("event: error\n") || !sameEvent(sent[i], event))) {
        i++;
      }
      assertTrue(i < sent.length, what + ": the client got an event the upstream did not send: " + event);
      i++;
    }
  }

  private static boolean sameEvent(String sent, String got) {
    if (sent.equals(got)) {
      return true;
    }
    if (!sent.startsWith("event: message_start\n") || !got.startsWith("event: message_start\n")) {
      return false;
    }
    JsonObject expected = new JsonObject(sent.substring(sent.indexOf("data: ") + 6));
    expected.getJsonObject("message").put("id", "msg_req_1").put("model", "my-alias");
    return expected.equals(new JsonObject(got.substring(got.indexOf("data: ") + 6)));
  }

  private static String outcome(java.util.function.Supplier<List<StreamEvent>> run) {
    try {
      return run.get().toString();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private record Relayed(String client, List<StreamEvent> events) {
  }

  private static List<StreamEvent> decodeOnly(byte[] bytes) {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(bytes)));
    events.addAll(decoder.finish());
    return events;
  }

  /** What the gateway does per upstream read: decode, render each event, then send what is pending. */
  private static Relayed relay(byte[]... reads) {
    return relay(CTX, reads);
  }

  private static Relayed relay(ResponseContext ctx, byte[]... reads) {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(ctx);
    assertTrue(encoder.relayFrom(decoder));
    Buffer client = Buffer.buffer();
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] read : reads) {
      send(decoder.feed(Buffer.buffer(read)), encoder, client, events);
    }
    send(decoder.finish(), encoder, client, events);
    return new Relayed(client.toString(StandardCharsets.UTF_8), events);
  }

  private static void send(List<StreamEvent> decoded, AnthropicStreamEncoder encoder, Buffer client, List<StreamEvent> events) {
    for (StreamEvent event : decoded) {
      events.add(event);
      client.appendBuffer(encoder.encode(event));
    }
    client.appendBuffer(encoder.pending());
  }
}
