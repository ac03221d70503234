package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StreamEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Encodes one record of the {@link InflightJournal} as its line, {@code <crc32 hex> <json>\n}, straight into a buffer
 * reused from line to line: Jackson's streaming generator writes the JSON as UTF-8 after nine reserved bytes, the
 * checksum is taken over that byte range and its eight hex digits written in front. The bytes are those the journal
 * always wrote ({@code JsonObject.encode()} of {@code {"k", "id", "b"}}, UTF-8; the same keys in the same order,
 * numbers and escapes as Vert.x's codec writes them), except that a string holding half of a surrogate pair (not
 * text, a broken string) is written as a JSON {@code \\u} escape of its four hex digits where the old String round
 * trip wrote {@code ?}.
 * A body the tree walk cannot write (a POJO put into a {@code JsonObject}) is encoded through Vert.x's codec as before.
 * The prices of a route are rendered once per distinct {@link ModelConfig.Pricing} and reused.
 *
 * <p>Not thread-safe: owned by the journal's writer thread.
 */
final class JournalLine {

  private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int CHECKSUM = 9;
  private static final int MAX_PRICES = 256;

  private final ReusedBytes bytes = new ReusedBytes();
  private final CRC32 crc = new CRC32();
  private final Map<ModelConfig.Pricing, SerializedString> prices = new HashMap<>();
  private JsonGenerator generator;
  private int eventsInLine;

  /** What a caller hands the journal when an answer starts; rendered as {@code s}'s body. */
  record Started(String clientId, String format, String model, long createdEpochSeconds, boolean stream) {
    JsonObject toJson() {
      return new JsonObject().put("client_id", clientId).put("format", format).put("model", model).put("created", createdEpochSeconds)
          .put("stream", stream);
    }
  }

  /**
   * Encodes one record; its line is {@link #array()}{@code [0, length)} until the next call.
   *
   * @param body null, a {@link JsonObject}, a {@link StreamEvent} (numbered {@code seq}), {@link Started},
   *             {@link JournalRoute} or a {@link LedgerEntry}
   * @return the line's length, its final newline included
   */
  int encode(char kind, String id, Object body, int seq) {
    bytes.reset(CHECKSUM);
    try {
      JsonGenerator g = generator();
      g.writeStartObject();
      g.writeFieldName(JsonNames.K);
      g.writeString(kindName(kind));
      g.writeFieldName(JsonNames.ID);
      g.writeString(id);
      if (body != null) {
        g.writeFieldName(JsonNames.B);
        writeBody(g, body, seq);
      }
      g.writeEndObject();
      g.flush();
    } catch (IOException | RuntimeException notATree) {
      generator = null; // it may have stopped inside an object
      bytes.reset(CHECKSUM);
      byte[] json = tree(kind, id, body, seq).encode().getBytes(StandardCharsets.UTF_8);
      bytes.write(json, 0, json.length);
    }
    return finish();
  }

  /**
   * Encodes events of one answer as one {@code es} line, {@code {"k":"es","id":…,"b":{"events":[…]}}}: each element is
   * the {@code b} its own {@code e} line would have had, in order. The body is an object, so that a reader that does
   * not know {@code es} skips the line as an unknown kind. The line takes {@code bodies[from, to)}, or fewer: it ends
   * after the first event that brings it to {@code maxJsonBytes} ({@link #eventsInLine()} says how many it took).
   *
   * @param bodies event bodies, each a {@link StreamEvent} (numbered by {@code seqs}) or a {@link JsonObject}
   * @return the line's length, its final newline included
   */
  int encodeEvents(String id, Object[] bodies, int[] seqs, int from, int to, int maxJsonBytes) {
    bytes.reset(CHECKSUM);
    int i = from;
    try {
      JsonGenerator g = generator();
      g.writeStartObject();
      g.writeFieldName(JsonNames.K);
      g.writeString("es");
      g.writeFieldName(JsonNames.ID);
      g.writeString(id);
      g.writeFieldName(JsonNames.B);
      g.writeStartObject();
      g.writeFieldName(JsonNames.EVENTS);
      g.writeStartArray();
      while (i < to) {
        writeBody(g, bodies[i], seqs[i]);
        i++;
        g.flush();
        if (bytes.count - CHECKSUM >= maxJsonBytes) {
          break;
        }
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.flush();
    } catch (IOException | RuntimeException notATree) {
      generator = null;
      bytes.reset(CHECKSUM);
      io.vertx.core.json.JsonArray events = new io.vertx.core.json.JsonArray();
      for (i = from; i < to; i++) {
        events.add(bodyTree(bodies[i], seqs[i]));
      }
      byte[] json = new JsonObject().put("k", "es").put("id", id).put("b", new JsonObject().put("events", events)).encode()
          .getBytes(StandardCharsets.UTF_8);
      bytes.write(json, 0, json.length);
    }
    eventsInLine = i - from;
    return finish();
  }

  /** How many events the line last encoded by {@link #encodeEvents} holds. */
  int eventsInLine() {
    return eventsInLine;
  }

  /** The checksum in front of the JSON written after it, and the final newline; the line's length. */
  private int finish() {
    byte[] buf = bytes.buf;
    int end = bytes.count;
    crc.reset();
    crc.update(buf, CHECKSUM, end - CHECKSUM);
    long value = crc.getValue();
    for (int i = 7; i >= 0; i--) {
      buf[i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    buf[8] = ' ';
    bytes.write('\n');
    return bytes.count;
  }

  /** The buffer holding the line last encoded. */
  byte[] array() {
    return bytes.buf;
  }

  /** The record as a JSON tree: what the journal encoded before this class, and what its lines must equal. */
  static JsonObject tree(char kind, String id, Object body, int seq) {
    JsonObject json = new JsonObject().put("k", kindName(kind)).put("id", id);
    if (body != null) {
      json.put("b", bodyTree(body, seq));
    }
    return json;
  }

  private static JsonObject bodyTree(Object body, int seq) {
    if (body instanceof JsonObject json) {
      return json;
    }
    if (body instanceof StreamEvent event) {
      return event.toJson().put("seq", seq);
    }
    if (body instanceof Started started) {
      return started.toJson();
    }
    if (body instanceof JournalRoute route) {
      return route.toJson();
    }
    if (body instanceof LedgerEntry row) {
      return LedgerEntryJson.toJson(row);
    }
    throw new IllegalArgumentException("not a journal record body: " + body.getClass().getName());
  }

  private void writeBody(JsonGenerator g, Object body, int seq) throws IOException {
    if (body instanceof StreamEvent event) {
      // most of a stream's lines: written as event.toJson() with its seq has them, without building that tree
      RecordEvents.write(g, event, seq);
    } else if (body instanceof Started s) {
      g.writeStartObject();
      g.writeFieldName(JsonNames.CLIENT_ID);
      g.writeString(s.clientId());
      g.writeFieldName(JsonNames.FORMAT);
      g.writeString(s.format());
      g.writeFieldName(JsonNames.MODEL);
      g.writeString(s.model());
      g.writeFieldName(JsonNames.CREATED);
      g.writeNumber(s.createdEpochSeconds());
      g.writeFieldName(JsonNames.STREAM);
      g.writeBoolean(s.stream());
      g.writeEndObject();
    } else if (body instanceof JournalRoute r) {
      g.writeStartObject();
      g.writeFieldName(JsonNames.PROVIDER);
      g.writeString(r.provider());
      g.writeFieldName(JsonNames.ENDPOINT);
      g.writeString(r.endpoint());
      g.writeFieldName(JsonNames.UPSTREAM_MODEL);
      g.writeString(r.upstreamModel());
      g.writeFieldName(JsonNames.ATTEMPTS);
      g.writeNumber(r.attempts());
      g.writeFieldName(JsonNames.REASON);
      g.writeString(r.reason());
      g.writeFieldName(JsonNames.INPUT_ESTIMATE);
      g.writeNumber(r.inputEstimate());
      if (r.pricing() != null) {
        g.writeFieldName(JsonNames.PRICING);
        g.writeRawValue(prices(r.pricing()));
      }
      g.writeEndObject();
    } else if (body instanceof LedgerEntry e) {
      writeLedgerEntry(g, e);
    } else {
      JacksonCodec.encodeJson(bodyTree(body, seq), g);
    }
  }

  /** {@link LedgerEntryJson#toJson}'s fields, in its order, without building that tree (an {@code x} line per answer). */
  private static void writeLedgerEntry(JsonGenerator g, LedgerEntry e) throws IOException {
    g.writeStartObject();
    g.writeFieldName(JsonNames.REQUEST_ID);
    g.writeString(e.requestId());
    g.writeFieldName(JsonNames.CLIENT_ID);
    g.writeString(e.clientId());
    g.writeFieldName(JsonNames.PROVIDER);
    g.writeString(e.provider());
    g.writeFieldName(JsonNames.ENDPOINT);
    g.writeString(e.endpointId());
    g.writeFieldName(JsonNames.MODEL);
    g.writeString(e.model());
    g.writeFieldName(JsonNames.UPSTREAM_MODEL);
    g.writeString(e.upstreamModel());
    g.writeFieldName(JsonNames.USAGE);
    RecordJson.usage(g, e.usage());
    g.writeFieldName(JsonNames.COST_USD);
    g.writeString(e.costUsd() == null ? null : e.costUsd().toPlainString());
    g.writeFieldName(JsonNames.LATENCY_MS);
    g.writeNumber(e.latencyMs());
    g.writeFieldName(JsonNames.TTFB_MS);
    g.writeNumber(e.timeToFirstByteMs());
    g.writeFieldName(JsonNames.STATUS);
    g.writeNumber(e.status());
    g.writeFieldName(JsonNames.ATTEMPTS);
    g.writeNumber(e.attempts());
    g.writeFieldName(JsonNames.ROUTE_REASON);
    g.writeString(e.routeReason());
    g.writeFieldName(JsonNames.STREAM);
    g.writeBoolean(e.stream());
    g.writeFieldName(JsonNames.FINISHED_AT);
    g.writeNumber(e.finishedAtMillis());
    g.writeFieldName(JsonNames.IMAGES);
    if (e.images() == null) {
      g.writeNull();
    } else {
      g.writeNumber(e.images().intValue());
    }
    g.writeFieldName(JsonNames.CACHE_STATUS);
    g.writeString(e.cacheStatus());
    g.writeFieldName(JsonNames.SAVED_USD);
    g.writeString(e.savedUsd() == null ? null : e.savedUsd().toPlainString());
    g.writeEndObject();
  }

  private SerializableString prices(ModelConfig.Pricing pricing) {
    SerializedString rendered = prices.get(pricing);
    if (rendered == null) {
      if (prices.size() >= MAX_PRICES) {
        prices.clear();
      }
      rendered = new SerializedString(JournalRoute.pricingJson(pricing).encode());
      prices.put(pricing, rendered);
    }
    return rendered;
  }

  private JsonGenerator generator() throws IOException {
    if (generator == null) {
      generator = JSON.createGenerator(bytes);
      generator.setRootValueSeparator(null);
    }
    return generator;
  }

  private static String kindName(char kind) {
    return switch (kind) {
      case 's' -> "s";
      case 'r' -> "r";
      case 'e' -> "e";
      case 'x' -> "x";
      case 'l' -> "l";
      default -> String.valueOf(kind);
    };
  }

  /** The JSON of one line as read back (without its newline), or null when the line is torn or corrupt (its checksum does not match). */
  static JsonObject parse(String line) {
    if (line.length() < 10 || line.charAt(8) != ' ') {
      return null;
    }
    byte[] body = line.substring(9).getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    try {
      if (Long.parseLong(line.substring(0, 8), 16) != crc.getValue()) {
        return null;
      }
      return new JsonObject(line.substring(9));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
