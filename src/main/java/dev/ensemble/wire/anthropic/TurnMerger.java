package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;

import java.util.ArrayList;
import java.util.List;

/**
 * Shapes a unified conversation into what Anthropic accepts: strictly alternating user and assistant turns.
 * <ul>
 *   <li>Thinking blocks without a signature (e.g. reasoning text from an OpenAI-format model) are dropped:
 *       Anthropic rejects unsigned thinking. A message left empty by that is dropped too.</li>
 *   <li>Consecutive messages with the same role are merged into one, their blocks concatenated in order.</li>
 *   <li>In user turns, tool results are moved ahead of other blocks (a stable partition), as Anthropic
 *       requires tool results to come first.</li>
 * </ul>
 * The result depends only on the input, so re-encoding a conversation is byte-stable.
 */
final class TurnMerger {

  private TurnMerger() {
  }

  static List<Message> merge(List<Message> messages) {
    List<Message> out = new ArrayList<>(messages.size());
    Role role = null;
    List<ContentBlock> pending = new ArrayList<>();
    for (Message message : messages) {
      List<ContentBlock> kept = sendable(message.content());
      if (kept.isEmpty() && !message.content().isEmpty()) {
        continue;
      }
      if (role != null && role != message.role()) {
        out.add(turn(role, pending));
        pending = new ArrayList<>();
      }
      role = message.role();
      pending.addAll(kept);
    }
    if (role != null) {
      out.add(turn(role, pending));
    }
    return out;
  }

  private static List<ContentBlock> sendable(List<ContentBlock> blocks) {
    List<ContentBlock> kept = new ArrayList<>(blocks.size());
    for (ContentBlock block : blocks) {
      if (block instanceof ContentBlock.Thinking t && t.redactedData() == null && t.signature() == null) {
        continue;
      }
      kept.add(block);
    }
    return kept;
  }

  private static Message turn(Role role, List<ContentBlock> blocks) {
    if (role != Role.USER) {
      return new Message(role, blocks);
    }
    List<ContentBlock> ordered = new ArrayList<>(blocks.size());
    for (ContentBlock block : blocks) {
      if (block instanceof ContentBlock.ToolResult) {
        ordered.add(block);
      }
    }
    for (ContentBlock block : blocks) {
      if (!(block instanceof ContentBlock.ToolResult)) {
        ordered.add(block);
      }
    }
    return new Message(role, ordered);
  }
}
