package dev.ensemble.wire;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random answers and contexts of every shape a client format renders, for tests that hold a writer to the tree it stands
 * for: text (with quotes, escapes, control characters, non-ASCII, pairs and lone halves of surrogates), several blocks,
 * tool calls (arguments as any JSON, JSON that is not an object, not JSON at all), thinking (with or without a signature,
 * empty, redacted), every stop reason and none, usage with any field unknown, and the request values each format echoes.
 * One per test, from a seed the test names in its failures.
 */
public final class RandomAnswers {

  private static final String[] PIECES = {"a", "Hello", " ", "world", ".", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", "\u0000",
      "\u0001", "\u001f", "\u007f", "é", "Grüße", "世界", "\u2028", "\u2029", "😀", "🌍", "\uD83D", "\uDE00", "</script>", "{", "}",
      "[", "]", ":", ",", "null", "0", "-1.5e3", "\uFEFF", "\uFFFF"};

  private final Random random;

  public RandomAnswers(long seed) {
    this.random = new Random(seed);
  }

  public String text() {
    int n = random.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  private String maybe(String value) {
    return random.nextInt(5) == 0 ? null : value;
  }

  private Long count() {
    return switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> 0L;
      case 2 -> (long) Integer.MAX_VALUE + random.nextInt(1000);
      default -> (long) random.nextInt(100_000);
    };
  }

  public Usage usage() {
    return random.nextInt(8) == 0 ? Usage.UNKNOWN : new Usage(count(), count(), count(), count(), count());
  }

  public StopReason stopReason() {
    StopReason[] all = StopReason.values();
    int i = random.nextInt(all.length + 1);
    return i == all.length ? null : all[i];
  }

  /** Arguments as a model may send them: a JSON object (spaced or not, any values), other JSON, or not JSON. */
  public String arguments() {
    return switch (random.nextInt(9)) {
      case 0 -> "";
      case 1 -> "[1, 2]";
      case 2 -> "not json " + text();
      case 3 -> "{\"q\": " + random.nextInt(100) + ", \"f\": 1.0, \"e\": 1e2, \"big\": 123456789012345678901234, \"neg\": -0.0}";
      case 4 -> "{\"a\":1,\"a\":2}";
      case 5 -> "{ \"nested\" : { \"list\" : [ true, false, null, \"x\" ] } }";
      default -> new JsonObject().put("query", text()).put("n", random.nextInt(10)).put("ok", random.nextBoolean()).encode();
    };
  }

  public ContentBlock block() {
    return switch (random.nextInt(10)) {
      case 0, 1, 2, 3 -> new ContentBlock.Text(text(), random.nextInt(8) == 0 ? new JsonObject().put("type", "ephemeral") : null);
      case 4, 5 -> new ContentBlock.ToolUse("call_" + random.nextInt(1000) + maybe(text()), random.nextBoolean() ? "lookup" : "fn_" + text(),
          arguments(), random.nextInt(10) == 0 ? new JsonObject().put("type", "ephemeral") : null);
      case 6, 7 -> new ContentBlock.Thinking(random.nextInt(6) == 0 ? "" : maybe(text()), maybe("sig-" + text()), null);
      case 8 -> new ContentBlock.Thinking(null, null, "redacted-" + random.nextInt(1000));
      default -> new ContentBlock.Image(random.nextBoolean() ? MediaSource.url("https://example.com/a.png")
          : MediaSource.base64("image/png", "iVBORw0KGgo="), null, null);
    };
  }

  public UnifiedResponse answer() {
    int n = random.nextInt(5);
    List<ContentBlock> blocks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      blocks.add(block());
    }
    return new UnifiedResponse(maybe("up-" + random.nextInt(100)), maybe("upstream-model"), blocks, stopReason(),
        random.nextInt(4) == 0 ? text() : null, usage());
  }

  /** A context with the request values {@code format} echoes in its answers (Responses' and Gemini's), some set to null. */
  public ResponseContext context(String format, UnifiedResponse answer) {
    JsonObject echo = new JsonObject();
    if (format.equals("gemini") && random.nextInt(3) > 0) {
      echo.put("thoughts", random.nextBoolean()).put("sse", random.nextBoolean());
    }
    if (format.equals("responses")) {
      String[] keys = {"instructions", "max_output_tokens", "metadata", "parallel_tool_calls", "previous_response_id", "prompt_cache_key",
          "reasoning", "store", "temperature", "text", "tool_choice", "tools", "top_p", "truncation", "user"};
      for (String key : keys) {
        switch (random.nextInt(4)) {
          case 0 -> echo.putNull(key);
          case 1 -> echo.put(key, echoValue(key));
          default -> { }
        }
      }
      if (random.nextBoolean()) {
        JsonArray custom = new JsonArray();
        answer.content().stream().filter(b -> b instanceof ContentBlock.ToolUse && random.nextBoolean())
            .forEach(b -> custom.add(((ContentBlock.ToolUse) b).name()));
        echo.put("custom_tools", custom);
      }
      if (random.nextBoolean()) {
        echo.put("include_encrypted_reasoning", random.nextBoolean());
      }
    }
    String model = random.nextInt(10) == 0 ? null : random.nextBoolean() ? "gpt-test" : "mödel/" + text();
    return new ResponseContext("01kbqz3x5m" + random.nextInt(1_000_000), model, random.nextInt(2) == 0 ? 1_764_930_000L : random.nextLong(),
        echo);
  }

  private Object echoValue(String key) {
    return switch (key) {
      case "max_output_tokens" -> random.nextInt(10_000);
      case "parallel_tool_calls", "store" -> random.nextBoolean();
      case "temperature", "top_p" -> random.nextBoolean() ? 0.7 : random.nextBoolean() ? 1 : 0.25f;
      case "metadata" -> new JsonObject().put("user", text()).put("n", "1");
      case "reasoning" -> new JsonObject().put("effort", "low").put("summary", random.nextBoolean() ? "auto" : null);
      case "text" -> new JsonObject().put("format", new JsonObject().put("type", "json_schema").put("name", "x")
          .put("schema", new JsonObject().put("type", "object"))).put("verbosity", "low");
      case "tool_choice" -> random.nextBoolean() ? "required" : new JsonObject().put("type", "function").put("name", "lookup");
      case "tools" -> new JsonArray().add(new JsonObject().put("type", "function").put("name", "lookup")
          .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject())).put("strict", true));
      default -> text();
    };
  }

  /** An upstream's own Responses object, as an answer from OpenAI's Responses API carries it. */
  public JsonObject nativeBody() {
    JsonObject body = new JsonObject().put("id", "resp_" + random.nextInt(1000)).put("object", "response").put("status", "completed")
        .put("model", "gpt-5").put("output", new JsonArray().add(new JsonObject().put("type", "message").put("content",
            new JsonArray().add(new JsonObject().put("type", "output_text").put("text", text())))))
        .put("usage", new JsonObject().put("input_tokens", 3).put("output_tokens", 5));
    if (random.nextBoolean()) {
      body.put("previous_response_id", "resp_0");
    }
    return body;
  }

  public boolean nextBoolean() {
    return random.nextBoolean();
  }
}
