package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ensemble.model.StreamEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The unified events of a {@link ResponseRecord}, numbered by {@code seq}: as the request path kept them (the
 * immutable {@link StreamEvent}s, and the JSON of an event the gateway made itself, a cancel), written straight as
 * JSON by the store ({@link #writeTo}) in one pass, without a tree per event; or the JSON array of a record read back.
 * Their JSON is {@code event.toJson()} with its {@code seq}, in that field order, as the store always wrote them.
 *
 * <p>Immutable: the list is a copy, and neither it nor its JSON objects are changed after construction.
 */
public final class RecordEvents {

  private static final RecordEvents NONE = new RecordEvents(List.of(), null);

  /** {@link StreamEvent}s and {@link JsonObject}s (without {@code seq}), in {@code seq} order; null when read back. */
  private final List<Object> kept;
  /** The events as read back, each with its {@code seq}; null when kept. */
  private final JsonArray json;

  private RecordEvents(List<Object> kept, JsonArray json) {
    this.kept = kept;
    this.json = json;
  }

  /** The events as the request path kept them, event {@code i} being {@code seq} {@code i}. */
  public static RecordEvents of(List<?> events) {
    return new RecordEvents(List.copyOf(events), null);
  }

  /** The events of a record read back (or made as JSON), each with its {@code seq}; null for none. */
  public static RecordEvents of(JsonArray events) {
    return events == null ? NONE : new RecordEvents(null, events);
  }

  public int size() {
    return kept != null ? kept.size() : json.size();
  }

  /** The events as a JSON array, each with its {@code seq} (a reader's copy for kept events). */
  public JsonArray toJson() {
    if (json != null) {
      return json;
    }
    JsonArray all = new JsonArray(new java.util.ArrayList<>(kept.size()));
    for (int seq = 0; seq < kept.size(); seq++) {
      Object event = kept.get(seq);
      all.add((event instanceof StreamEvent e ? e.toJson() : ((JsonObject) event).copy()).put("seq", seq));
    }
    return all;
  }

  /** Writes the events as a JSON array, the same bytes {@link #toJson()} encodes to. */
  void writeTo(JsonGenerator g) throws IOException {
    if (json != null) {
      JacksonCodec.encodeJson(json, g);
      return;
    }
    g.writeStartArray();
    for (int seq = 0; seq < kept.size(); seq++) {
      Object event = kept.get(seq);
      if (event instanceof StreamEvent e) {
        write(g, e, seq);
      } else {
        g.writeStartObject();
        for (Map.Entry<String, Object> field : (JsonObject) event) {
          g.writeFieldName(field.getKey());
          JacksonCodec.encodeJson(field.getValue(), g);
        }
        g.writeFieldName(JsonNames.SEQ);
        g.writeNumber(seq);
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }

  /**
   * One event as {@code event.toJson()} with its {@code seq} writes it: the events of every stream written field by
   * field, the rare ones (an error, a passthrough's own) through their small tree.
   */
  static void write(JsonGenerator g, StreamEvent event, int seq) throws IOException {
    if (event instanceof StreamEvent.BlockDelta d) {
      g.writeStartObject();
      boolean open = EventHeads.delta(g, d.index());
      if (d.text() != null) {
        g.writeFieldName(JsonNames.TEXT);
        g.writeString(d.text());
        open = false;
      }
      if (d.partialJson() != null) {
        g.writeFieldName(JsonNames.PARTIAL_JSON);
        g.writeString(d.partialJson());
        open = false;
      }
      if (d.signature() != null) {
        g.writeFieldName(JsonNames.SIGNATURE);
        g.writeString(d.signature());
        open = false;
      }
      EventHeads.seq(g, seq, open);
      g.writeEndObject();
    } else if (event instanceof StreamEvent.BlockStart s) {
      g.writeStartObject();
      EventHeads.start(g, s.index());
      g.writeFieldName(JsonNames.KIND);
      g.writeString(JsonNames.kind(s.kind()));
      if (s.toolUseId() != null) {
        g.writeFieldName(JsonNames.ID);
        g.writeString(s.toolUseId());
        g.writeFieldName(JsonNames.NAME);
        g.writeString(s.toolName());
      }
      EventHeads.seq(g, seq, false);
      g.writeEndObject();
    } else if (event instanceof StreamEvent.BlockStop s) {
      g.writeStartObject();
      EventHeads.seq(g, seq, EventHeads.stop(g, s.index()));
      g.writeEndObject();
    } else if (event instanceof StreamEvent.ResponseStart s) {
      g.writeStartObject();
      g.writeFieldName(JsonNames.TYPE);
      g.writeString(JsonNames.RESPONSE_START);
      g.writeFieldName(JsonNames.ID);
      g.writeString(s.id());
      g.writeFieldName(JsonNames.MODEL);
      g.writeString(s.model());
      g.writeFieldName(JsonNames.PROVIDER);
      g.writeString(s.provider());
      g.writeFieldName(JsonNames.ENDPOINT);
      g.writeString(s.endpoint());
      EventHeads.seq(g, seq, false);
      g.writeEndObject();
    } else if (event instanceof StreamEvent.ResponseEnd e) {
      g.writeStartObject();
      g.writeFieldName(JsonNames.TYPE);
      g.writeString(JsonNames.RESPONSE_END);
      g.writeFieldName(JsonNames.STOP_REASON);
      g.writeString(e.stopReason() == null ? null : e.stopReason().wireName());
      g.writeFieldName(JsonNames.USAGE);
      RecordJson.countedUsage(g, e.usage());
      g.writeFieldName(JsonNames.COST_USD);
      if (e.costUsd() == null) {
        g.writeNull();
      } else {
        g.writeNumber(e.costUsd().doubleValue());
      }
      EventHeads.seq(g, seq, false);
      g.writeEndObject();
    } else {
      JacksonCodec.encodeJson(event.toJson().put("seq", seq), g);
    }
  }
}
