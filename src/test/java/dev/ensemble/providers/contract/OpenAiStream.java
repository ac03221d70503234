package dev.ensemble.providers.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ensemble.providers.contract.ContractClient.Frame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** An OpenAI-format stream as a client reads it: {@code chat.completion.chunk} data frames, then {@code [DONE]}. */
final class OpenAiStream {

  private final List<JsonObject> chunks;

  private OpenAiStream(List<JsonObject> chunks) {
    this.chunks = chunks;
  }

  /** Reads {@code body}, asserting that it ends with {@code [DONE]} and that every other frame is a chunk. */
  static OpenAiStream of(String body) {
    List<Frame> frames = ContractClient.frames(body);
    assertEquals("[DONE]", frames.get(frames.size() - 1).data(), body);
    List<JsonObject> chunks = new ArrayList<>();
    for (Frame frame : frames.subList(0, frames.size() - 1)) {
      JsonObject chunk = frame.json();
      assertEquals("chat.completion.chunk", chunk.getString("object"), body);
      chunks.add(chunk);
    }
    return new OpenAiStream(chunks);
  }

  JsonObject first() {
    return chunks.get(0);
  }

  JsonObject last() {
    return chunks.get(chunks.size() - 1);
  }

  /** The {@code delta.content} of every chunk, concatenated. */
  String text() {
    StringBuilder text = new StringBuilder();
    for (JsonObject delta : deltas()) {
      text.append(delta.getString("content", ""));
    }
    return text.toString();
  }

  /** The non-null {@code finish_reason}s, in order. */
  List<String> finishReasons() {
    List<String> reasons = new ArrayList<>();
    for (JsonObject choice : choices()) {
      if (choice.getString("finish_reason") != null) {
        reasons.add(choice.getString("finish_reason"));
      }
    }
    return reasons;
  }

  /** The name of the streamed tool call (the last one named). */
  String toolName() {
    String name = null;
    for (JsonObject function : toolCallFunctions()) {
      name = function.getString("name", name);
    }
    return name;
  }

  /** The streamed tool call's {@code arguments} fragments, concatenated. */
  String toolArguments() {
    StringBuilder arguments = new StringBuilder();
    for (JsonObject function : toolCallFunctions()) {
      arguments.append(function.getString("arguments", ""));
    }
    return arguments.toString();
  }

  private List<JsonObject> choices() {
    List<JsonObject> choices = new ArrayList<>();
    for (JsonObject chunk : chunks) {
      chunk.getJsonArray("choices").forEach(choice -> choices.add((JsonObject) choice));
    }
    return choices;
  }

  private List<JsonObject> deltas() {
    return choices().stream().map(choice -> choice.getJsonObject("delta", new JsonObject())).toList();
  }

  private List<JsonObject> toolCallFunctions() {
    List<JsonObject> functions = new ArrayList<>();
    for (JsonObject delta : deltas()) {
      for (Object call : delta.getJsonArray("tool_calls", new JsonArray())) {
        functions.add(((JsonObject) call).getJsonObject("function", new JsonObject()));
      }
    }
    return functions;
  }
}
