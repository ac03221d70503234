package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.testing.JsonCorruptions;
import dev.ensemble.wire.RequestJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A client's OpenAI chat request read straight from its bytes ({@link PlainRequestReader}) is exactly the request the
 * tree reading makes, or is left to the tree: for every body below — plain, nearly plain, invalid, and thousands of
 * random corruptions of plain ones — the unified request (or the 400) is the same both ways. And what an OpenAI-format
 * upstream is sent from the kept bytes ({@link RequestSplice}) is the JSON the encoder writes from the tree, for every
 * upstream shape (OpenAI, {@code max_tokens} upstreams, OpenRouter's extras, no stream usage, cache markers kept).
 */
class PlainRequestReaderTest {

  private static final String PLAIN = "{\"model\":\"bench-gpt\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise "
      + "assistant.\"},{\"role\":\"user\",\"content\":\"Say \\\"ok\\\" é 👋\"}]}";
  private static final String STREAM = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String EVERY_FIELD = "{\n  \"stream_options\": {\"include_usage\": false},\n  \"model\": \"m\\u00e9\",\n"
      + "  \"messages\": [\n    {\"content\": \"be brief\", \"role\": \"system\"},\n    {\"role\": \"system\", \"content\": \"\"},\n"
      + "    {\"role\": \"user\", \"content\": \"a\\nb\"},\n    {\"role\": \"assistant\", \"content\": \"\"},\n"
      + "    {\"role\": \"assistant\", \"content\": \"c\"},\n    {\"role\": \"user\", \"content\": \"d\\ud83d\\ude00\"}\n  ],\n"
      + "  \"max_tokens\": 64, \"temperature\": 1, \"top_p\": 0.25, \"user\": \"u-1\", \"reasoning_effort\": \"low\",\n"
      + "  \"stop\": [\"\\n\\n\", \"END\"], \"stream\": true\n}\n";
  private static final String LIMITS = "{\"max_completion_tokens\":2147483647,\"model\":\"m\",\"temperature\":0.0,\"top_p\":1e0,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":false,\"stream_options\":{\"include_usage\":true}}";
  private static final String USAGE_ASKED = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true,"
      + "\"stream_options\":{\"include_usage\":true},\"max_tokens\":5}";

  private static final List<String> BODIES = List.of(PLAIN, STREAM, EVERY_FIELD, LIMITS, USAGE_ASKED,
      "  " + PLAIN + "\n",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"only a system prompt\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"stream_options\":{}}",
      // not plain (from index 8 on): the tree reads them
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"system\",\"content\":\"late\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"x\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":\"bob\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"seed\":1}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":1}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":5,\"max_completion_tokens\":6}",
      "{\"model\":\"m\",\"model\":\"n\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"role\":\"assistant\",\"content\":\"x\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":null}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":\"END\"}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true,\"x\":1}}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[],\"tool_choice\":\"auto\"}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_\\u0074okens\":5}",
      // refused by the tree; never taken as plain
      "{\"model\":\"m\",\"messages\":[]}",
      "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
      "{\"model\":\"m\"}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":2.5}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":-0.1}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":64.0}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2147483648}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":99999999999999999999999}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} {}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":NaN}",
      "{\"model\":\"m\",/* c */\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
      "[{\"model\":\"m\"}]",
      "\uFEFF" + PLAIN);

  /** The upstream shapes the splice must match the encoder for. */
  private static final List<UpstreamOptions> UPSTREAMS = List.of(
      UpstreamOptions.OPENAI,
      new UpstreamOptions("max_tokens", true, false, false, null),
      new UpstreamOptions("max_tokens", true, true, true, new JsonObject().put("order", new JsonArray().add("a").add("b")).put("allow_fallbacks", false)),
      new UpstreamOptions("max_completion_tokens", false, false, false, null));

  private final OpenAiRequestCodec codec = new OpenAiRequestCodec();

  @Test
  void everyBodyIsReadAsTheTreeReadsItAndSentAsTheEncoderWritesIt() {
    for (String body : BODIES) {
      assertSameReading(body.getBytes(StandardCharsets.UTF_8), "body " + body);
    }
  }

  @Test
  void invalidUtf8IsLeftToTheTree() {
    int[][] sequences = {{0xC0, 0x80}, {0x80}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xFF}, {0xC3},
        {0xF0, 0x9F, 0x91}, {0xC3, 0xA9}, {0xF0, 0x9F, 0x91, 0x8B}};
    for (int[] sequence : sequences) {
      String[] parts = PLAIN.replace("concise ", "con#cise ").split("#");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
      for (int b : sequence) {
        out.write(b);
      }
      out.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
      assertSameReading(out.toByteArray(), "bytes " + java.util.Arrays.toString(sequence));
    }
  }

  @Test
  void randomCorruptionsOfPlainBodiesAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(PLAIN, STREAM, EVERY_FIELD, LIMITS, USAGE_ASKED), 8_000, this::assertSameReading);
  }

  @Test
  void plainBodiesAreTakenAsTheyCameAndNothingElseIs() {
    for (String plain : List.of(PLAIN, STREAM, EVERY_FIELD, LIMITS, USAGE_ASKED)) {
      assertNotNull(codec.decodePlain(bytes(plain)), plain);
    }
    for (String body : BODIES.subList(8, BODIES.size())) {
      assertNull(codec.decodePlain(bytes(body)), body);
    }
  }

  @Test
  void anOpenAiUpstreamGetsTheClientsBytesWithOnlyTheModelIdAndWhatItMustChangeSplicedIn() {
    UnifiedRequest plain = codec.decodePlain(bytes(PLAIN));
    assertEquals(PLAIN.replace("\"bench-gpt\"", "\"gpt-4o-mini-2024-07-18\""),
        codec.upstreamBody(plain, "gpt-4o-mini-2024-07-18", UpstreamOptions.OPENAI).toString(StandardCharsets.UTF_8));

    UnifiedRequest stream = codec.decodePlain(bytes(STREAM));
    assertEquals(STREAM.replace("\"gpt-4o\"", "\"o\\\"dd\"").replace("}]}", "}],\"stream_options\":{\"include_usage\":true}}"),
        codec.upstreamBody(stream, "o\"dd", UpstreamOptions.OPENAI).toString(StandardCharsets.UTF_8), "usage asked for, model escaped");

    UnifiedRequest every = codec.decodePlain(bytes(EVERY_FIELD));
    String sent = codec.upstreamBody(every, "m2", UpstreamOptions.OPENAI).toString(StandardCharsets.UTF_8);
    assertEquals(EVERY_FIELD.replace("{\"include_usage\": false}", "{\"include_usage\":true}").replace("\"m\\u00e9\"", "\"m2\"")
        .replace("\"max_tokens\"", "\"max_completion_tokens\""), sent, "limit renamed, usage turned on, the rest as sent");

    UnifiedRequest asked = codec.decodePlain(bytes(USAGE_ASKED));
    UpstreamOptions openRouter = UPSTREAMS.get(2);
    assertEquals(USAGE_ASKED.replace("\"m\"", "\"anthropic/claude\"").replace(",\"max_tokens\":5}",
            ",\"max_tokens\":5,\"usage\":{\"include\":true},\"provider\":{\"order\":[\"a\",\"b\"],\"allow_fallbacks\":false}}"),
        codec.upstreamBody(asked, "anthropic/claude", openRouter).toString(StandardCharsets.UTF_8), "OpenRouter's extras at the end");
  }

  @Test
  void aRequestChangedAfterItWasReadIsEncodedNotSpliced() {
    UnifiedRequest plain = codec.decodePlain(bytes(STREAM));
    assertNotNull(plain.toBuilder().model("other").build().clientBody(), "a new model keeps the bytes: the model is spliced anyway");
    UnifiedRequest unstreamed = plain.toBuilder().stream(false).includeUsage(false).build();
    assertNull(unstreamed.clientBody());
    assertEquals(codec.encode(unstreamed, "m", UpstreamOptions.OPENAI), new JsonObject(codec.upstreamBody(unstreamed, "m", UpstreamOptions.OPENAI)));
    assertNull(plain.toBuilder().maxTokens(7).build().clientBody());
    assertNull(plain.toBuilder().message(dev.ensemble.model.Message.user("more")).build().clientBody());
  }

  /**
   * The body read plain and by the tree: the same request or the same 400; when read plain, what every upstream shape is
   * sent from it is the JSON the encoder writes from the tree's request.
   */
  private void assertSameReading(byte[] body, String what) {
    String tree;
    UnifiedRequest treeRequest = null;
    try {
      treeRequest = codec.decode(RequestJson.object(Buffer.buffer(body), "request body"));
      tree = treeRequest.toString();
    } catch (GatewayError e) {
      tree = "400 " + e.getMessage();
    }
    UnifiedRequest plain = codec.decodePlain(body);
    assertEquals(tree, plain == null ? tree : plain.withoutClientBody().toString(), what);
    if (plain == null) {
      return;
    }
    assertNotNull(plain.clientBody(), what);
    for (UpstreamOptions upstream : UPSTREAMS) {
      JsonObject expected = codec.encode(treeRequest, "up-model", upstream);
      Buffer sent = codec.upstreamBody(plain, "up-model", upstream);
      assertEquals(canonical(expected), canonical(new JsonObject(sent)), what + " to " + upstream);
    }
  }

  /** The JSON value with numbers as exact decimals, so 1 and 1.0 (the client's and the encoder's) compare equal. */
  private static Object canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> out = new java.util.TreeMap<>();
      object.forEach(e -> out.put(e.getKey(), canonical(e.getValue())));
      return out;
    }
    if (value instanceof JsonArray array) {
      List<Object> out = new ArrayList<>();
      array.forEach(v -> out.add(canonical(v)));
      return out;
    }
    if (value instanceof Number n) {
      return new BigDecimal(n.toString()).stripTrailingZeros();
    }
    return value;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theCanonicalFormComparesNumbersByValue() {
    assertTrue(canonical(new JsonObject("{\"a\":1}")).equals(canonical(new JsonObject("{\"a\":1.0}"))));
  }
}
