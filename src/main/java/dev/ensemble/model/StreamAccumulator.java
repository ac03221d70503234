package dev.ensemble.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a complete answer from unified stream events, so a streamed answer can be stored and rendered
 * like a non-streamed one. Also turns a complete answer back into the events a stream of it would carry.
 * One accumulator per answer, used from one thread.
 */
public final class StreamAccumulator {

  private final List<ContentBlock> blocks = new ArrayList<>();
  private String id;
  private String model;
  private BlockKind kind;
  private StringBuilder text;
  private StringBuilder signature;
  private String toolId;
  private String toolName;
  private StopReason stopReason;
  private String stopSequence;
  private Usage usage = Usage.UNKNOWN;
  private boolean ended;
  private io.vertx.core.json.JsonObject nativeBody;

  public void accept(StreamEvent event) {
    if (event instanceof StreamEvent.ResponseStart s) {
      id = s.id();
      model = s.model();
      usage = usage.mergedWith(s.usage());
    } else if (event instanceof StreamEvent.BlockStart s) {
      kind = s.kind();
      text = new StringBuilder();
      signature = new StringBuilder();
      toolId = s.toolUseId();
      toolName = s.toolName();
    } else if (event instanceof StreamEvent.BlockDelta d && text != null) {
      if (d.text() != null) {
        text.append(d.text());
      }
      if (d.partialJson() != null) {
        text.append(d.partialJson());
      }
      if (d.signature() != null) {
        signature.append(d.signature());
      }
    } else if (event instanceof StreamEvent.BlockStop) {
      closeBlock();
    } else if (event instanceof StreamEvent.Native n && n.response() != null) {
      nativeBody = n.response();
    } else if (event instanceof StreamEvent.ResponseEnd e) {
      closeBlock();
      stopReason = e.stopReason();
      stopSequence = e.stopSequence();
      usage = usage.mergedWith(e.usage());
      ended = true;
    }
  }

  /** Whether the answer reached its end event. */
  public boolean ended() {
    return ended;
  }

  public Usage usage() {
    return usage;
  }

  /** The length of the open block's text (or tool input) so far; -1 when no block is open. */
  public int openTextLength() {
    return text == null ? -1 : text.length();
  }

  /** The open block's text (or tool input) from {@code from} on, {@code from} at most {@link #openTextLength()}. */
  public String openTextFrom(int from) {
    return text.substring(from);
  }

  /** The answer so far; a block still open is included as far as it got. */
  public UnifiedResponse response() {
    List<ContentBlock> all = new ArrayList<>(blocks);
    if (text != null) {
      ContentBlock open = block();
      if (open != null) {
        all.add(open);
      }
    }
    return new UnifiedResponse(id, model, all, stopReason, stopSequence, usage, nativeBody);
  }

  private void closeBlock() {
    if (text != null) {
      ContentBlock block = block();
      if (block != null) {
        blocks.add(block);
      }
      text = null;
    }
  }

  private ContentBlock block() {
    return switch (kind) {
      case TEXT -> ContentBlock.Text.of(text.toString());
      case THINKING -> new ContentBlock.Thinking(text.toString(), signature.isEmpty() ? null : signature.toString(), null);
      case TOOL_USE -> new ContentBlock.ToolUse(toolId, toolName, text.toString(), null);
      default -> null;
    };
  }

  /** The events a stream of {@code response} would carry, for answers that were not streamed. */
  public static List<StreamEvent> eventsOf(UnifiedResponse response) {
    List<StreamEvent> events = new ArrayList<>();
    events.add(new StreamEvent.ResponseStart(response.id(), response.model(), null, null, Usage.UNKNOWN));
    int index = 0;
    for (ContentBlock block : response.content()) {
      if (block instanceof ContentBlock.Text t) {
        events.add(StreamEvent.BlockStart.text(index));
        events.add(StreamEvent.BlockDelta.text(index, t.text()));
      } else if (block instanceof ContentBlock.Thinking t && t.thinking() != null) {
        events.add(StreamEvent.BlockStart.thinking(index));
        events.add(StreamEvent.BlockDelta.text(index, t.thinking()));
        if (t.signature() != null) {
          events.add(StreamEvent.BlockDelta.signature(index, t.signature()));
        }
      } else if (block instanceof ContentBlock.ToolUse u) {
        events.add(StreamEvent.BlockStart.toolUse(index, u.id(), u.name()));
        events.add(StreamEvent.BlockDelta.partialJson(index, u.inputJson()));
      } else {
        continue;
      }
      events.add(new StreamEvent.BlockStop(index));
      index++;
    }
    if (response.nativeBody() != null) {
      events.add(new StreamEvent.Native(null, response.nativeBody()));
    }
    events.add(new StreamEvent.ResponseEnd(response.stopReason(), response.stopSequence(), response.usage(), null));
    return events;
  }
}
