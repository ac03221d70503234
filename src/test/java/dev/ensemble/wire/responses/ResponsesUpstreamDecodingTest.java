package dev.ensemble.wire.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's Responses API read back as an upstream format: the response object kept whole beside its unified reading
 * (text, function and custom tool calls, reasoning, stop reason, usage with cached and reasoning tokens), and its SSE
 * stream as native events plus the unified events accounting needs.
 */
class ResponsesUpstreamDecodingTest {

  private static final JsonObject RESPONSE = new JsonObject("""
      {"id":"resp_1","object":"response","status":"completed","model":"gpt-5",
       "output":[
         {"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"search","query":"q"}},
         {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Looked it up."}],"encrypted_content":"gAAA"},
         {"id":"msg_1","type":"message","status":"completed","role":"assistant",
          "content":[{"type":"output_text","text":"Rome.","annotations":[]}]},
         {"id":"ctc_1","type":"custom_tool_call","call_id":"call_9","name":"apply_patch","input":"*** Begin Patch"}],
       "usage":{"input_tokens":1500,"input_tokens_details":{"cached_tokens":1024},"output_tokens":300,
                "output_tokens_details":{"reasoning_tokens":256},"total_tokens":1800}}""");

  @Test
  void aResponseObjectIsKeptWholeAndReadForAccounting() {
    UnifiedResponse answer = UpstreamResponses.decode(RESPONSE);

    assertEquals(RESPONSE, answer.nativeBody());
    assertEquals(new Usage(476L, 300L, 1024L, null, 256L), answer.usage(), "input excludes the cached tokens; reasoning is part of output");
    assertEquals(StopReason.TOOL_USE, answer.stopReason());
    assertEquals(3, answer.content().size(), "the web search has no unified block");
    assertEquals("Looked it up.", ((ContentBlock.Thinking) answer.content().get(0)).thinking());
    assertEquals("Rome.", answer.text());
    ContentBlock.ToolUse call = (ContentBlock.ToolUse) answer.content().get(2);
    assertEquals("call_9", call.id());
    assertEquals("*** Begin Patch", CustomTools.input(call.inputJson()));
  }

  @Test
  void anIncompleteResponseStopsAtItsReason() {
    JsonObject incomplete = RESPONSE.copy().put("status", "incomplete").put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    assertEquals(StopReason.MAX_TOKENS, UpstreamResponses.decode(incomplete).stopReason());
  }

  @Test
  void aStreamRelaysEveryUpstreamEventAndBuildsTheSameAnswer() {
    List<String> frames = List.of(
        event("response.created", new JsonObject().put("response", RESPONSE.copy().put("status", "in_progress").put("output", new JsonArray()))),
        event("response.output_item.added", new JsonObject().put("output_index", 0).put("item", new JsonObject().put("type", "web_search_call"))),
        event("response.web_search_call.searching", new JsonObject().put("output_index", 0)),
        event("response.output_item.done", new JsonObject().put("output_index", 0).put("item", RESPONSE.getJsonArray("output").getJsonObject(0))),
        event("response.output_item.added", new JsonObject().put("output_index", 1).put("item", new JsonObject().put("type", "message"))),
        event("response.output_text.delta", new JsonObject().put("output_index", 1).put("delta", "Ro")),
        event("response.output_text.delta", new JsonObject().put("output_index", 1).put("delta", "me.")),
        event("response.output_item.done", new JsonObject().put("output_index", 1).put("item", RESPONSE.getJsonArray("output").getJsonObject(2))),
        event("response.output_item.added", new JsonObject().put("output_index", 2).put("item", new JsonObject().put("type", "custom_tool_call")
            .put("call_id", "call_9").put("name", "apply_patch"))),
        event("response.custom_tool_call_input.delta", new JsonObject().put("output_index", 2).put("delta", "*** Begin")),
        event("response.output_item.done", new JsonObject().put("output_index", 2).put("item", RESPONSE.getJsonArray("output").getJsonObject(3))),
        event("response.completed", new JsonObject().put("response", RESPONSE)));
    ResponsesStreamDecoder decoder = new ResponsesStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    String all = String.join("", frames);
    for (int i = 0; i < all.length(); i += 7) {
      events.addAll(decoder.feed(Buffer.buffer(all.substring(i, Math.min(all.length(), i + 7)))));
    }
    events.addAll(decoder.finish());

    assertTrue(decoder.completed());
    assertEquals(frames.size(), events.stream().filter(e -> e instanceof StreamEvent.Native).count(), "every upstream event is relayed");
    StreamAccumulator accumulator = new StreamAccumulator();
    events.forEach(accumulator::accept);
    UnifiedResponse answer = accumulator.response();
    assertEquals("Rome.", answer.text());
    assertEquals(RESPONSE, answer.nativeBody(), "the completed event's response is the answer's native body");
    assertEquals(256L, answer.usage().reasoning());
    assertEquals(StopReason.TOOL_USE, answer.stopReason());
    assertEquals(new JsonObject().put("input", "*** Begin Patch").encode(), ((ContentBlock.ToolUse) answer.content().get(1)).inputJson(),
        "a custom tool's raw input is held whole as its one argument");
  }

  @Test
  void anErrorEventEndsTheStreamWithAnError() {
    ResponsesStreamDecoder decoder = new ResponsesStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(event("error", new JsonObject().put("code", "server_error").put("message", "boom"))));

    assertTrue(decoder.completed());
    assertEquals(1, events.size(), "not relayed as is: nothing reaches the client, so the request can still fail over");
    assertTrue(events.get(0) instanceof StreamEvent.Error error && error.error().getMessage().contains("boom"));
  }

  @Test
  void theRenderedObjectShowsTheGatewaysIdAndModelAndTheClientsPreviousResponseId() {
    dev.ensemble.wire.ResponseContext context = new dev.ensemble.wire.ResponseContext("req9", "gpt-test", 1L,
        new JsonObject().put("previous_response_id", "req8"));
    JsonObject shown = new ResponseObjects().response(UpstreamResponses.decode(RESPONSE), context);

    assertEquals("req9", shown.getString("id"));
    assertEquals("gpt-test", shown.getString("model"));
    assertEquals("req8", shown.getString("previous_response_id"));
    assertEquals(RESPONSE.getJsonArray("output"), shown.getJsonArray("output"));
    assertFalse(RESPONSE.getString("id").equals(shown.getString("id")));
  }

  private static String event(String type, JsonObject fields) {
    JsonObject event = new JsonObject().put("type", type).put("sequence_number", 0);
    fields.forEach(e -> event.put(e.getKey(), e.getValue()));
    return "event: " + type + "\ndata: " + event.encode() + "\n\n";
  }
}
