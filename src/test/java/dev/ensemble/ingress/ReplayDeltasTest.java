package dev.ensemble.ingress;

import dev.ensemble.model.StreamEvent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayDeltasTest {

  @Test
  void textIsCutOneWordAtATimeAndJoinsBackToItself() {
    assertEquals(List.of("Hello", " big", "  world", "\n\nbye"), ReplayDeltas.words("Hello big  world\n\nbye"));
    assertEquals(List.of(" leading", " space", " "), ReplayDeltas.words(" leading space "));
    assertEquals(List.of(""), ReplayDeltas.words(""));
  }

  @Test
  void aLongRunWithoutSpacesIsCutToo() {
    String url = "https://example.com/a/very/long/path/without/any/space/in/it";
    List<String> pieces = ReplayDeltas.words(url);

    assertTrue(pieces.size() > 1);
    assertTrue(pieces.stream().allMatch(p -> p.length() <= ReplayDeltas.MAX_TEXT_PIECE));
    assertEquals(url, String.join("", pieces));
  }

  @Test
  void aSurrogatePairIsNeverSplit() {
    String text = "a".repeat(15) + "\uD83D\uDE00" + "b".repeat(10);
    List<String> pieces = ReplayDeltas.fixed(text, 16);

    assertEquals("a".repeat(15) + "\uD83D\uDE00", pieces.get(0));
    assertEquals(text, String.join("", pieces));
  }

  @Test
  void textAndArgumentDeltasAreCutOtherEventsKept() {
    List<StreamEvent> events = ReplayDeltas.of(List.of(StreamEvent.BlockStart.text(0), StreamEvent.BlockDelta.text(0, "one two three"),
        new StreamEvent.BlockStop(0), StreamEvent.BlockStart.toolUse(1, "call_1", "lookup"),
        StreamEvent.BlockDelta.partialJson(1, "{\"city\":\"Paris\",\"country\":\"France\"}"), StreamEvent.BlockDelta.signature(1, "sig"),
        new StreamEvent.BlockStop(1)));

    assertEquals(List.of("block.start", "block.delta", "block.delta", "block.delta", "block.stop", "block.start", "block.delta",
        "block.delta", "block.delta", "block.delta", "block.stop"), events.stream().map(StreamEvent::type).toList());
    assertEquals("{\"city\":\"Paris\",\"country\":\"France\"}", events.stream()
        .filter(e -> e instanceof StreamEvent.BlockDelta d && d.partialJson() != null)
        .map(e -> ((StreamEvent.BlockDelta) e).partialJson()).reduce("", String::concat));
  }
}
