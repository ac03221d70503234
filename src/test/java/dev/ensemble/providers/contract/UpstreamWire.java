package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.RecordedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How an upstream wire format carries what the contract checks on the upstream side of a request. */
enum UpstreamWire {

  /** OpenAI Chat Completions: {@code messages}, {@code tools[].function}, {@code "stream": true}. */
  OPENAI("messages", "content", "text") {
    @Override
    JsonObject toolSchema(JsonObject body, String name) {
      for (Object tool : body.getJsonArray("tools", new JsonArray())) {
        JsonObject function = ((JsonObject) tool).getJsonObject("function");
        if (name.equals(function.getString("name"))) {
          return function.getJsonObject("parameters");
        }
      }
      return null;
    }

    @Override
    boolean streamed(RecordedRequest request) {
      return request.json().getBoolean("stream", false);
    }
  },

  /**
   * Anthropic Messages, also inside Bedrock's InvokeModel and Vertex's rawPredict: {@code messages},
   * {@code tools[].input_schema}; streamed when the body says so or, on Bedrock, the path does.
   */
  ANTHROPIC("messages", "content", "text") {
    @Override
    JsonObject toolSchema(JsonObject body, String name) {
      for (Object tool : body.getJsonArray("tools", new JsonArray())) {
        if (name.equals(((JsonObject) tool).getString("name"))) {
          return ((JsonObject) tool).getJsonObject("input_schema");
        }
      }
      return null;
    }

    @Override
    boolean streamed(RecordedRequest request) {
      return request.json().getBoolean("stream", false) || request.path().endsWith("/invoke-with-response-stream");
    }
  },

  /** Gemini {@code generateContent}: {@code contents[].parts}, {@code tools[].functionDeclarations}; streams by path. */
  GEMINI("contents", "parts", null) {
    @Override
    JsonObject toolSchema(JsonObject body, String name) {
      for (Object tool : body.getJsonArray("tools", new JsonArray())) {
        for (Object declaration : ((JsonObject) tool).getJsonArray("functionDeclarations", new JsonArray())) {
          JsonObject function = (JsonObject) declaration;
          if (name.equals(function.getString("name"))) {
            return function.containsKey("parametersJsonSchema") ? function.getJsonObject("parametersJsonSchema")
                : function.getJsonObject("parameters");
          }
        }
      }
      return null;
    }

    @Override
    boolean streamed(RecordedRequest request) {
      return request.path().endsWith(":streamGenerateContent");
    }
  };

  private final String turns;
  private final String content;
  private final String textType;

  /**
   * @param turns    the array of conversation turns
   * @param content  a turn's content: a string or an array of parts
   * @param textType the {@code type} of a text part, or null when parts are not typed
   */
  UpstreamWire(String turns, String content, String textType) {
    this.turns = turns;
    this.content = content;
    this.textType = textType;
  }

  /** The text of the last user turn. */
  final String lastUserText(JsonObject body) {
    Object parts = lastWithRole(body.getJsonArray(turns), "user").getValue(content);
    if (parts instanceof String s) {
      return s;
    }
    StringBuilder text = new StringBuilder();
    for (Object part : (JsonArray) parts) {
      JsonObject block = (JsonObject) part;
      if (block.containsKey("text") && (textType == null || textType.equals(block.getString("type")))) {
        text.append(block.getString("text"));
      }
    }
    return text.toString();
  }

  /** The parameter schema of the tool named {@code name}, or null when the request does not define it. */
  abstract JsonObject toolSchema(JsonObject body, String name);

  /** Whether the request asked for a streamed answer. */
  abstract boolean streamed(RecordedRequest request);

  private static JsonObject lastWithRole(JsonArray turns, String role) {
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (role.equals(turns.getJsonObject(i).getString("role"))) {
        return turns.getJsonObject(i);
      }
    }
    throw new AssertionError("no " + role + " turn in " + turns.encode());
  }
}
