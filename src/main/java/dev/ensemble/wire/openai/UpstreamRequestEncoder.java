package dev.ensemble.wire.openai;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.MediaPart;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a unified request as an OpenAI Chat Completions request for an upstream, shaped by that upstream's
 * {@link UpstreamOptions}. Fields always come in the same order; {@code cache_control} is written only where
 * the options allow it (OpenAI itself rejects unknown fields). Inline audio documents go as {@code input_audio}
 * parts, other documents as {@code file} parts.
 */
final class UpstreamRequestEncoder {

  JsonObject encode(UnifiedRequest req, String upstreamModel, UpstreamOptions options) {
    ContentWriter content = new ContentWriter(options.cacheControl());
    JsonObject body = new JsonObject().put("model", upstreamModel).put("messages", content.messages(req));
    if (!req.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      req.tools().forEach(tool -> tools.add(tool(tool)));
      body.put("tools", tools);
      ToolChoice choice = req.toolChoice();
      if (choice != null) {
        body.put("tool_choice", toolChoice(choice));
        if (choice.disableParallel()) {
          body.put("parallel_tool_calls", false);
        }
      }
    }
    putIfSet(body, options.maxTokensField(), req.maxTokens());
    putIfSet(body, "temperature", req.temperature());
    putIfSet(body, "top_p", req.topP());
    if (!req.stop().isEmpty()) {
      body.put("stop", new JsonArray(new ArrayList<>(req.stop())));
    }
    putIfSet(body, "reasoning_effort", reasoningEffort(req.reasoning()));
    putIfSet(body, "response_format", req.responseFormat() == null ? null : req.responseFormat().copy());
    putIfSet(body, "user", req.user());
    putIfSet(body, "provider", options.providerPreferences());
    if (options.usageInclude()) {
      body.put("usage", new JsonObject().put("include", true));
    }
    if (req.stream()) {
      body.put("stream", true);
      if (options.streamUsage()) {
        body.put("stream_options", new JsonObject().put("include_usage", true));
      }
    }
    return body;
  }

  /** Messages and their content parts; keeps {@code cache_control} on parts only when the upstream takes it. */
  private static final class ContentWriter {

    private final boolean keepCacheControl;

    ContentWriter(boolean keepCacheControl) {
      this.keepCacheControl = keepCacheControl;
    }

    JsonArray messages(UnifiedRequest req) {
      JsonArray out = new JsonArray();
      for (ContentBlock.Text system : req.system()) {
        Object content = marked(system.cacheControl())
            ? new JsonArray().add(textPart(system.text(), system.cacheControl()))
            : system.text();
        out.add(new JsonObject().put("role", "system").put("content", content));
      }
      for (Message message : req.messages()) {
        if (message.role() == Role.USER) {
          user(message.content(), out);
        } else {
          out.add(assistant(message.content()));
        }
      }
      return out;
    }

    private void user(List<ContentBlock> blocks, JsonArray out) {
      List<ContentBlock> rest = new ArrayList<>(blocks.size());
      for (ContentBlock block : blocks) {
        if (block instanceof ContentBlock.ToolResult result) {
          out.add(new JsonObject().put("role", "tool").put("tool_call_id", result.toolUseId())
              .put("content", toolResultContent(result)));
        } else if (!(block instanceof ContentBlock.ToolUse) && !(block instanceof ContentBlock.Thinking)) {
          rest.add(block);
        }
      }
      if (rest.isEmpty()) {
        return;
      }
      Object content = rest.size() == 1 && rest.get(0) instanceof ContentBlock.Text only && !marked(only.cacheControl())
          ? only.text()
          : parts(rest);
      out.add(new JsonObject().put("role", "user").put("content", content));
    }

    /**
     * One unmarked text block as a string; otherwise text parts (OpenAI accepts both); images are dropped.
     * A marker on the tool result itself goes on its last part.
     */
    private Object toolResultContent(ContentBlock.ToolResult result) {
      List<ContentBlock.Text> texts = new ArrayList<>();
      boolean anyMarked = marked(result.cacheControl());
      for (ContentBlock block : result.content()) {
        if (block instanceof ContentBlock.Text text) {
          texts.add(text);
          anyMarked |= marked(text.cacheControl());
        }
      }
      if (texts.size() == 1 && !anyMarked) {
        return texts.get(0).text();
      }
      if (texts.isEmpty()) {
        return "";
      }
      JsonArray parts = new JsonArray();
      for (int i = 0; i < texts.size(); i++) {
        JsonObject marker = texts.get(i).cacheControl();
        if (marker == null && i == texts.size() - 1) {
          marker = result.cacheControl();
        }
        parts.add(textPart(texts.get(i).text(), marker));
      }
      return parts;
    }

    private JsonArray parts(List<ContentBlock> blocks) {
      JsonArray parts = new JsonArray();
      for (ContentBlock block : blocks) {
        if (block instanceof ContentBlock.Text text) {
          parts.add(textPart(text.text(), text.cacheControl()));
        } else if (block instanceof ContentBlock.Image image) {
          JsonObject url = new JsonObject().put("url", image.source().toUrlOrDataUri());
          putIfSet(url, "detail", image.detail());
          parts.add(withMarker(new JsonObject().put("type", "image_url").put("image_url", url), image.cacheControl()));
        } else if (block instanceof ContentBlock.Document doc) {
          JsonObject part = MediaPart.of(doc) == MediaPart.AUDIO ? InputAudio.encode(doc) : filePart(doc);
          parts.add(withMarker(part, doc.cacheControl()));
        }
      }
      return parts;
    }

    private JsonObject textPart(String text, JsonObject cacheControl) {
      return withMarker(UpstreamRequestEncoder.textPart(text), cacheControl);
    }

    private JsonObject withMarker(JsonObject part, JsonObject cacheControl) {
      if (marked(cacheControl)) {
        part.put("cache_control", cacheControl.copy());
      }
      return part;
    }

    private boolean marked(JsonObject cacheControl) {
      return keepCacheControl && cacheControl != null;
    }
  }

  private static JsonObject filePart(ContentBlock.Document doc) {
    if (doc.source().isUrl()) {
      throw GatewayError.of(ErrorType.INVALID_REQUEST, "documents given by URL are not supported by OpenAI-format providers");
    }
    JsonObject file = new JsonObject();
    putIfSet(file, "filename", doc.title());
    file.put("file_data", doc.source().toUrlOrDataUri());
    return new JsonObject().put("type", "file").put("file", file);
  }

  private static JsonObject assistant(List<ContentBlock> blocks) {
    StringBuilder text = new StringBuilder();
    boolean hasText = false;
    JsonArray calls = new JsonArray();
    for (ContentBlock block : blocks) {
      if (block instanceof ContentBlock.Text t) {
        text.append(t.text());
        hasText = true;
      } else if (block instanceof ContentBlock.ToolUse use) {
        calls.add(new JsonObject().put("id", use.id()).put("type", "function").put("function",
            new JsonObject().put("name", use.name()).put("arguments", use.inputJson())));
      }
    }
    JsonObject msg = new JsonObject().put("role", "assistant")
        .put("content", hasText || calls.isEmpty() ? text.toString() : null);
    if (!calls.isEmpty()) {
      msg.put("tool_calls", calls);
    }
    return msg;
  }

  private static JsonObject tool(ToolDefinition tool) {
    JsonObject function = new JsonObject().put("name", tool.name());
    putIfSet(function, "description", tool.description());
    function.put("parameters", tool.inputSchema().copy());
    return new JsonObject().put("type", "function").put("function", function);
  }

  private static Object toolChoice(ToolChoice choice) {
    return switch (choice.mode()) {
      case AUTO -> "auto";
      case ANY -> "required";
      case NONE -> "none";
      case TOOL -> new JsonObject().put("type", "function").put("function", new JsonObject().put("name", choice.name()));
    };
  }

  /**
   * OpenAI takes an effort, not a budget: a thinking budget maps to low (< 4096), medium (< 16384) or high; a budget
   * of 0 (thinking off) sends none (the model's default), -1 (the model decides) medium.
   */
  static String reasoningEffort(UnifiedRequest.Reasoning reasoning) {
    if (reasoning == null) {
      return null;
    }
    if (reasoning.effort() != null) {
      return reasoning.effort();
    }
    Integer budget = reasoning.budgetTokens();
    if (budget == null || budget == 0) {
      return null;
    }
    return budget < 0 ? "medium" : budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
  }

  private static JsonObject textPart(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static void putIfSet(JsonObject obj, String key, Object value) {
    if (value != null) {
      obj.put(key, value);
    }
  }
}
