package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.wire.JsonScanner;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the usual complete Anthropic message — an id, a model, content blocks of text and thinking (and blocks the
 * unified model has no place for, skipped as the tree reading skips them), a stop reason and a usage object of token
 * counts — straight from its UTF-8 bytes into a {@link Message}, in one pass ({@link JsonScanner}'s grammar: the whole
 * body checked as strict JSON while it reads), decoding only the strings the unified answer carries, and noting where
 * the id and the model lie.
 *
 * <p>It gives up ({@code false}) on everything else: a tool call (its input is re-encoded by the tree reading), a
 * {@code cache_control}, a field of the unexpected type or repeated, a token count that is not a small integer, an
 * escape in a field name, JSON it cannot accept. The codec then reads the body as a tree, which decides as it always
 * did, errors included. Not thread-safe: one per read (it is small).
 */
final class MessageScanner extends UsageScanner {

  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] STOP_REASON = ascii("stop_reason");
  private static final byte[] STOP_SEQUENCE = ascii("stop_sequence");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] TYPE = ascii("type");
  private static final byte[] TEXT = ascii("text");
  private static final byte[] THINKING = ascii("thinking");
  private static final byte[] SIGNATURE = ascii("signature");
  private static final byte[] DATA = ascii("data");
  private static final byte[] CACHE_CONTROL = ascii("cache_control");
  private static final byte[] INPUT_TOKENS = ascii("input_tokens");
  private static final byte[] OUTPUT_TOKENS = ascii("output_tokens");
  private static final byte[] CACHE_READ = ascii("cache_read_input_tokens");
  private static final byte[] CACHE_CREATION = ascii("cache_creation_input_tokens");
  private static final byte[][] BODY_FIELDS = {ID, MODEL, CONTENT, STOP_REASON, STOP_SEQUENCE, USAGE};
  private static final byte[][] BLOCK_FIELDS = {TYPE, TEXT, THINKING, SIGNATURE, DATA, CACHE_CONTROL};
  private static final byte[][] USAGE_FIELDS = {INPUT_TOKENS, OUTPUT_TOKENS, CACHE_READ, CACHE_CREATION};

  /** What the unified answer needs of a message, and where the gateway's own values go (-1: absent). */
  static final class Message {
    String id;
    String model;
    int idStart = -1;
    int idEnd = -1;
    int modelStart = -1;
    int modelEnd = -1;
    boolean hasContent;
    final List<ContentBlock> blocks = new ArrayList<>(2);
    String stopReason;
    String stopSequence;
    boolean hasUsage;
    Long input;
    Long output;
    Long cacheRead;
    Long cacheWrite;
  }

  private final String[] strings = new String[5];

  /** Reads {@code data[0, length)} into {@code message}. False: not read (it may be partly filled), to be read as a tree. */
  boolean read(byte[] data, int length, Message message) {
    begin(data, 0, length);
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          int field = name(BODY_FIELDS);
          seen = once(seen, field);
          switch (field) {
            case 0 -> {
              message.idStart = pos;
              message.id = stringOrNull(true);
              message.idEnd = pos;
            }
            case 1 -> {
              message.modelStart = pos;
              message.model = stringOrNull(true);
              message.modelEnd = pos;
            }
            case 2 -> content(message);
            case 3 -> message.stopReason = stringOrNull(true);
            case 4 -> message.stopSequence = stringOrNull(true);
            case 5 -> usage(message);
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end && message.hasContent;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void content(Message message) {
    expect('[');
    message.hasContent = true;
    ws();
    if (next(']')) {
      return;
    }
    do {
      ContentBlock block = block();
      if (block != null) {
        message.blocks.add(block);
      }
    } while (separator(']'));
  }

  /** One content block: text or thinking as a unified block, another kind the tree skips as null; anything else gives up. */
  private ContentBlock block() {
    expect('{');
    ws();
    java.util.Arrays.fill(strings, null);
    if (!next('}')) {
      int seen = 0;
      do {
        int field = name(BLOCK_FIELDS);
        seen = once(seen, field);
        if (field == 5) {
          nullOnly();
        } else if (field >= 0) {
          if (peek() == '"') {
            strings[field] = stringOrNull(true);
          } else {
            nullOnly();
          }
        } else {
          skipValue(2);
        }
      } while (separator('}'));
    }
    String type = strings[0];
    if (type == null) {
      throw GIVE_UP;
    }
    return switch (type) {
      case "text" -> {
        if (strings[1] == null) {
          throw GIVE_UP;
        }
        yield new ContentBlock.Text(strings[1], null);
      }
      case "thinking" -> {
        if (strings[2] == null) {
          throw GIVE_UP;
        }
        yield new ContentBlock.Thinking(strings[2], strings[3], null);
      }
      case "redacted_thinking" -> {
        if (strings[4] == null) {
          throw GIVE_UP;
        }
        yield new ContentBlock.Thinking(null, null, strings[4]);
      }
      case "tool_use" -> throw GIVE_UP;
      default -> null;
    };
  }

  private void usage(Message message) {
    if (peek() == 'n') {
      nullOnly();
      return;
    }
    expect('{');
    message.hasUsage = true;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(USAGE_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> message.input = count();
        case 1 -> message.output = count();
        case 2 -> message.cacheRead = count();
        case 3 -> message.cacheWrite = count();
        default -> skipValue(1);
      }
    } while (separator('}'));
  }
}
