package dev.ensemble.routing;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.affinity.PrefixFingerprinter;

/**
 * Estimates a prompt's tokens the way {@link PrefixFingerprinter} does (four characters a token, a flat
 * amount per image or document), for requests to providers without a prompt cache, where no fingerprint is
 * computed. Used for token-rate admission and cost estimates, both later corrected by reported usage.
 */
public final class PromptSize {

  private PromptSize() {
  }

  public static int tokens(UnifiedRequest request) {
    long chars = 0;
    long media = 0;
    for (ToolDefinition tool : request.tools()) {
      chars += tool.name().length() + (tool.description() == null ? 0 : tool.description().length()) + tool.inputSchema().encode().length();
    }
    for (ContentBlock.Text block : request.system()) {
      chars += block.text().length();
    }
    for (Message message : request.messages()) {
      for (ContentBlock block : message.content()) {
        if (block instanceof ContentBlock.Text t) {
          chars += t.text().length();
        } else if (block instanceof ContentBlock.ToolUse u) {
          chars += u.name().length() + u.inputJson().length();
        } else if (block instanceof ContentBlock.ToolResult r) {
          for (ContentBlock inner : r.content()) {
            if (inner instanceof ContentBlock.Text t) {
              chars += t.text().length();
            } else {
              media++;
            }
          }
        } else if (block instanceof ContentBlock.Thinking t && t.thinking() != null) {
          chars += t.thinking().length();
        } else {
          media++;
        }
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, (chars + 3) / 4 + media * PrefixFingerprinter.MEDIA_TOKENS);
  }
}
