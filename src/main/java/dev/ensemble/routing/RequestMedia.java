package dev.ensemble.routing;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaPart;
import dev.ensemble.model.Message;
import dev.ensemble.model.UnifiedRequest;

import java.util.List;

/**
 * The media a request carries, found in one pass over its messages (and the content of tool results) without
 * allocating: a mask of {@link MediaPart#bit()}s, 0 for a text-only request. System blocks are text only.
 */
final class RequestMedia {

  private RequestMedia() {
  }

  static int scan(UnifiedRequest request) {
    int mask = 0;
    List<Message> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      mask |= scan(messages.get(i).content());
    }
    return mask;
  }

  private static int scan(List<ContentBlock> blocks) {
    int mask = 0;
    for (int j = 0; j < blocks.size(); j++) {
      ContentBlock block = blocks.get(j);
      if (block instanceof ContentBlock.ToolResult result) {
        mask |= scan(result.content());
      } else {
        MediaPart part = MediaPart.of(block);
        if (part != null) {
          mask |= part.bit();
        }
      }
    }
    return mask;
  }

  /**
   * The first part of the request whose kind is in {@code mask}, with its position in the unified request
   * ({@code messages[1].content[0]}, or {@code messages[2].content[0].content[1]} inside a tool result), or null.
   */
  static Located first(UnifiedRequest request, int mask) {
    List<Message> messages = request.messages();
    for (int i = 0; i < messages.size(); i++) {
      List<ContentBlock> blocks = messages.get(i).content();
      for (int j = 0; j < blocks.size(); j++) {
        ContentBlock block = blocks.get(j);
        String path = "messages[" + i + "].content[" + j + "]";
        if (block instanceof ContentBlock.ToolResult result) {
          for (int k = 0; k < result.content().size(); k++) {
            MediaPart part = MediaPart.of(result.content().get(k));
            if (part != null && (mask & part.bit()) != 0) {
              return new Located(path + ".content[" + k + "]", part);
            }
          }
        } else {
          MediaPart part = MediaPart.of(block);
          if (part != null && (mask & part.bit()) != 0) {
            return new Located(path, part);
          }
        }
      }
    }
    return null;
  }

  /** A media part and where it is in the unified request. */
  record Located(String path, MediaPart part) {}
}
