package dev.ensemble.model;

import java.util.List;
import java.util.Objects;

/** One turn of the conversation. Tool results travel as {@link ContentBlock.ToolResult} blocks in user turns. */
public record Message(Role role, List<ContentBlock> content) {

  public Message {
    Objects.requireNonNull(role, "role");
    content = List.copyOf(content);
  }

  public static Message user(String text) {
    return new Message(Role.USER, List.of(ContentBlock.Text.of(text)));
  }

  public static Message assistant(String text) {
    return new Message(Role.ASSISTANT, List.of(ContentBlock.Text.of(text)));
  }
}
