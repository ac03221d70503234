package dev.ensemble.providers.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ensemble.providers.contract.ContractClient.Frame;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** An Anthropic-format stream as a client reads it: named events, each data's {@code type} naming it too; pings left out. */
final class AnthropicStream {

  private final List<Frame> frames;

  private AnthropicStream(List<Frame> frames) {
    this.frames = frames;
  }

  static AnthropicStream of(String body) {
    List<Frame> frames = ContractClient.frames(body).stream().filter(f -> !"ping".equals(f.event())).toList();
    for (Frame frame : frames) {
      assertEquals(frame.event(), frame.json().getString("type"), body);
    }
    return new AnthropicStream(frames);
  }

  /** The event names, with repeats of one name in a row collapsed. */
  List<String> eventKinds() {
    List<String> kinds = new ArrayList<>();
    for (Frame frame : frames) {
      if (kinds.isEmpty() || !kinds.get(kinds.size() - 1).equals(frame.event())) {
        kinds.add(frame.event());
      }
    }
    return kinds;
  }

  /** The data of the first {@code event}. */
  JsonObject first(String event) {
    return frames.stream().filter(f -> event.equals(f.event())).findFirst().map(Frame::json)
        .orElseThrow(() -> new AssertionError("no " + event + " in " + frames));
  }

  /** {@code field} of every {@code content_block_delta} of delta type {@code type}, concatenated. */
  String deltas(String type, String field) {
    StringBuilder text = new StringBuilder();
    for (Frame frame : frames) {
      JsonObject delta = "content_block_delta".equals(frame.event()) ? frame.json().getJsonObject("delta") : null;
      if (delta != null && type.equals(delta.getString("type"))) {
        text.append(delta.getString(field));
      }
    }
    return text.toString();
  }
}
