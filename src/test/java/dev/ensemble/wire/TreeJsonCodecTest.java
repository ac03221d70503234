package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TreeJsonCodecTest {

  private static final DatabindCodec DATABIND = new DatabindCodec();

  enum Kind { TEXT }

  /** A value that is not a JSON tree: written by databind, as before. */
  public record Pojo(String name, int count) {}

  private static JsonObject everyKindOfValue() {
    return new JsonObject()
        .put("id", "chatcmpl-1").put("created", 17_640_000_000L).put("index", 0).put("short", (short) 3).put("byte", (byte) 4)
        .put("temperature", 0.7).put("ratio", 0.25f).put("cost", new BigDecimal("0.0000125")).put("big", new BigInteger("123456789012345678901234"))
        .put("ok", true).put("refusal", null).put("text", "héllo \"quoted\" \\ \n\t \u0001 😀 </script>")
        .put("at", Instant.parse("2026-12-05T13:40:00.123Z")).put("bytes", new byte[] {1, 2, 3}).put("kind", Kind.TEXT)
        .put("choices", new JsonArray().add(new JsonObject().put("message", new JsonObject().put("role", "assistant")))
            .add(new JsonArray().add(1).add("two").addNull()))
        .put("map", Map.of("k", List.of(1, 2)));
  }

  @Test
  void isTheNodesJsonCodec() {
    assertInstanceOf(TreeJsonCodec.class, Json.CODEC);
  }

  @Test
  void writesTheSameBytesAsDatabind() {
    JsonObject tree = everyKindOfValue();
    assertEquals(DATABIND.toString(tree, false), tree.encode());
    assertEquals(DATABIND.toBuffer(tree, false), tree.toBuffer());
    assertEquals(DATABIND.toString(tree, true), tree.encodePrettily());
    JsonArray array = new JsonArray().add(tree).add("x");
    assertEquals(DATABIND.toString(array, false), array.encode());
  }

  @Test
  void valuesOutsideATreeAreStillWrittenByDatabind() {
    JsonObject withPojo = new JsonObject().put("pojo", new Pojo("a", 2));
    assertEquals("{\"pojo\":{\"name\":\"a\",\"count\":2}}", withPojo.encode());
    assertEquals(DATABIND.toString(withPojo, false), withPojo.encode());
  }

  @Test
  void readsTreesAsDatabindDid() {
    String text = everyKindOfValue().encode();
    JsonObject read = new JsonObject(text);
    assertEquals(new JsonObject(DATABIND.fromString(text, Map.class)), read);
    assertEquals(read, new JsonObject(Buffer.buffer(text)));
    assertEquals(read, Json.decodeValue(Buffer.buffer(text)));
    assertEquals(Long.class, read.getValue("created").getClass());
    assertEquals(Integer.class, read.getValue("index").getClass());
    assertEquals(Double.class, read.getValue("temperature").getClass());
    assertEquals(new JsonArray().add(1).add("x"), Json.decodeValue("[1,\"x\"]"));
    assertEquals(new Pojo("a", 2), Json.decodeValue("{\"name\":\"a\",\"count\":2}", Pojo.class));
  }

  @Test
  void refusesWhatIsNotJson() {
    assertThrows(DecodeException.class, () -> new JsonObject("{\"a\":"));
    assertThrows(DecodeException.class, () -> new JsonObject("{} {}"));
    assertThrows(DecodeException.class, () -> new JsonObject("[1]"));
  }
}
