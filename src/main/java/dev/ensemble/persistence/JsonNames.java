package dev.ensemble.persistence;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ensemble.model.BlockKind;

import java.util.Arrays;

/**
 * The field names of the JSON the journal's and the store's writer threads write per record, and the constant values of
 * its events (their {@code type}s and block kinds), each quoted and encoded to UTF-8 once: Jackson copies such a
 * string's bytes into its buffer, where a {@code String} is checked for escapes and encoded character by character on
 * every write. Immutable constants.
 */
final class JsonNames {

  static final SerializableString K = name("k");
  static final SerializableString ID = name("id");
  static final SerializableString B = name("b");
  static final SerializableString EVENTS = name("events");
  static final SerializableString TYPE = name("type");
  static final SerializableString INDEX = name("index");
  static final SerializableString TEXT = name("text");
  static final SerializableString PARTIAL_JSON = name("partial_json");
  static final SerializableString SIGNATURE = name("signature");
  static final SerializableString SEQ = name("seq");
  static final SerializableString KIND = name("kind");
  static final SerializableString NAME = name("name");
  static final SerializableString MODEL = name("model");
  static final SerializableString PROVIDER = name("provider");
  static final SerializableString ENDPOINT = name("endpoint");
  static final SerializableString STOP_REASON = name("stop_reason");
  static final SerializableString USAGE = name("usage");
  static final SerializableString COST_USD = name("cost_usd");
  static final SerializableString INPUT = name("input");
  static final SerializableString OUTPUT = name("output");
  static final SerializableString CACHE_READ = name("cache_read");
  static final SerializableString CACHE_WRITE = name("cache_write");
  static final SerializableString REASONING = name("reasoning");
  static final SerializableString STATUS = name("status");
  static final SerializableString CREATED_AT = name("created_at");
  static final SerializableString COMPLETED_AT = name("completed_at");
  static final SerializableString TRUNCATED = name("truncated");
  static final SerializableString ERROR = name("error");
  static final SerializableString BODY = name("body");
  static final SerializableString REASON = name("reason");
  static final SerializableString CLIENT_FORMAT = name("client_format");
  static final SerializableString CLIENT_ID = name("client_id");
  static final SerializableString FORMAT = name("format");
  static final SerializableString CREATED = name("created");
  static final SerializableString STREAM = name("stream");
  static final SerializableString UPSTREAM_MODEL = name("upstream_model");
  static final SerializableString ATTEMPTS = name("attempts");
  static final SerializableString INPUT_ESTIMATE = name("input_estimate");
  static final SerializableString PRICING = name("pricing");
  static final SerializableString REQUEST_ID = name("request_id");
  static final SerializableString LATENCY_MS = name("latency_ms");
  static final SerializableString TTFB_MS = name("ttfb_ms");
  static final SerializableString ROUTE_REASON = name("route_reason");
  static final SerializableString FINISHED_AT = name("finished_at");
  static final SerializableString IMAGES = name("images");
  static final SerializableString CACHE_STATUS = name("cache_status");
  static final SerializableString SAVED_USD = name("saved_usd");

  static final SerializableString RESPONSE_START = name("response.start");
  static final SerializableString BLOCK_START = name("block.start");
  static final SerializableString BLOCK_DELTA = name("block.delta");
  static final SerializableString BLOCK_STOP = name("block.stop");
  static final SerializableString RESPONSE_END = name("response.end");
  /** Each {@link BlockKind}'s wire name, by ordinal. */
  private static final SerializableString[] KINDS = Arrays.stream(BlockKind.values()).map(k -> name(k.wireName()))
      .toArray(SerializableString[]::new);

  private JsonNames() {
  }

  static SerializableString kind(BlockKind kind) {
    return KINDS[kind.ordinal()];
  }

  private static SerializableString name(String name) {
    SerializedString s = new SerializedString(name);
    s.asQuotedUTF8(); // encoded now, not on the first write
    return s;
  }
}
