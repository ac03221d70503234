package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.ensemble.model.Usage;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Writes a {@link ResponseRecord}'s stored form in one pass with Jackson's streaming generator, into a buffer reused
 * from record to record: the body's bytes as the client got them ({@link AnswerBody}), the events from the objects
 * the request path kept ({@link RecordEvents}), the rest field by field; no tree of the record is built. The JSON is
 * that of {@link ResponseRecord#toJson()} encoded (the same fields in the same order, so every reader of the stored
 * form is unchanged), except that the body is its bytes as they were sent rather than their tree re-encoded.
 * {@link #line} frames it as the local store's line {@code <crc32 hex> <json>\n}.
 *
 * <p>Not thread-safe: one per writing thread (the local store's writer, or a call of the S3 store).
 */
public final class RecordJson {

  private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  private final ReusedBytes bytes = new ReusedBytes();
  private final CRC32 crc = new CRC32();
  private JsonGenerator generator;

  /** The record's JSON. */
  public byte[] json(ResponseRecord record) {
    write(record, 0);
    return Arrays.copyOf(bytes.buf, bytes.count);
  }

  /** The record as the local store's line: {@code <crc32 hex> <json>\n}, the checksum over the JSON's bytes. */
  public byte[] line(ResponseRecord record) {
    write(record, SegmentLine.PREFIX);
    SegmentLine.prefix(bytes.buf, bytes.count, crc);
    bytes.write('\n');
    return Arrays.copyOf(bytes.buf, bytes.count);
  }

  private void write(ResponseRecord r, int reserved) {
    bytes.reset(reserved);
    try {
      JsonGenerator g = generator();
      g.writeStartObject();
      g.writeFieldName(JsonNames.ID);
      g.writeString(r.id());
      g.writeFieldName(JsonNames.STATUS);
      g.writeString(r.status().wireName());
      g.writeFieldName(JsonNames.MODEL);
      g.writeString(r.model());
      g.writeFieldName(JsonNames.PROVIDER);
      g.writeString(r.provider());
      g.writeFieldName(JsonNames.ENDPOINT);
      g.writeString(r.endpoint());
      g.writeFieldName(JsonNames.CREATED_AT);
      g.writeString(IsoInstant.format(r.createdAt()));
      g.writeFieldName(JsonNames.COMPLETED_AT);
      g.writeString(r.completedAt() == null ? null : IsoInstant.format(r.completedAt()));
      g.writeFieldName(JsonNames.TEXT);
      g.writeString(r.text());
      g.writeFieldName(JsonNames.STOP_REASON);
      g.writeString(r.stopReason());
      g.writeFieldName(JsonNames.USAGE);
      countedUsage(g, r.usage());
      g.writeFieldName(JsonNames.COST_USD);
      g.writeString(r.costUsd() == null ? null : r.costUsd().toPlainString());
      g.writeFieldName(JsonNames.TRUNCATED);
      g.writeBoolean(r.truncated());
      g.writeFieldName(JsonNames.ERROR);
      JacksonCodec.encodeJson(r.error(), g);
      g.writeFieldName(JsonNames.BODY);
      if (r.body() == null) {
        g.writeNull();
      } else {
        r.body().writeTo(g);
      }
      if (r.error() != null && r.error().getString("reason") != null) {
        g.writeFieldName(JsonNames.REASON);
        g.writeString(r.error().getString("reason"));
      }
      g.writeFieldName(JsonNames.CLIENT_FORMAT);
      g.writeString(r.clientFormat());
      g.writeFieldName(JsonNames.CLIENT_ID);
      g.writeString(r.clientId());
      g.writeFieldName(JsonNames.EVENTS);
      r.events().writeTo(g);
      if (r.inputItems() != null) {
        g.writeFieldName("input_items");
        JacksonCodec.encodeJson(r.inputItems(), g);
      }
      if (r.background() != null) {
        g.writeFieldName("background");
        JacksonCodec.encodeJson(r.background(), g);
      }
      if (r.conversation() != null) {
        g.writeFieldName("conversation");
        JacksonCodec.encodeJson(r.conversation(), g);
      }
      g.writeEndObject();
      g.flush();
    } catch (IOException | RuntimeException e) {
      generator = null; // it may have stopped inside an object
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** {@link Usage#counted()}'s {@link Usage#toJson()}: what a client reads of a response's usage. */
  static void countedUsage(JsonGenerator g, Usage u) throws IOException {
    usage(g, (u == null ? Usage.UNKNOWN : u).counted());
  }

  /** {@link Usage#toJson()}'s fields, in its order. */
  static void usage(JsonGenerator g, Usage u) throws IOException {
    Usage usage = u == null ? Usage.UNKNOWN : u;
    g.writeStartObject();
    number(g, JsonNames.INPUT, usage.input());
    number(g, JsonNames.OUTPUT, usage.output());
    number(g, JsonNames.CACHE_READ, usage.cacheRead());
    number(g, JsonNames.CACHE_WRITE, usage.cacheWrite());
    if (usage.reasoning() != null) {
      number(g, JsonNames.REASONING, usage.reasoning());
    }
    g.writeEndObject();
  }

  private static void number(JsonGenerator g, SerializableString name, Long value) throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeNumber(value.longValue());
    }
  }

  private JsonGenerator generator() throws IOException {
    if (generator == null) {
      generator = JSON.createGenerator(bytes);
      generator.setRootValueSeparator(null);
    }
    return generator;
  }
}
