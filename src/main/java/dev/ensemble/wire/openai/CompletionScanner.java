package dev.ensemble.wire.openai;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.wire.JsonScanner;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the usual complete {@code chat.completion} — an envelope, choices whose first has a message of text, reasoning,
 * refusal or tool calls and a finish reason, and a usage object of token counts — straight from its UTF-8 bytes into
 * a {@link Completion}, in one pass ({@link JsonScanner}'s grammar: the whole body checked as strict JSON while it
 * reads), decoding only the strings the unified answer carries, and noting where the id, model and creation time lie.
 *
 * <p>It gives up ({@code false}) on everything else: content as an array of parts, a field of the unexpected type or
 * repeated, a tool call without its id or name, a token count that is not a small integer, an escape in a field
 * name, JSON it cannot accept. The codec then reads the body as a tree, which decides as it always did, errors
 * included. Not thread-safe: one per read (it is small).
 */
final class CompletionScanner extends UsageScanner {

  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] CREATED = ascii("created");
  private static final byte[] CHOICES = ascii("choices");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] MESSAGE = ascii("message");
  private static final byte[] FINISH_REASON = ascii("finish_reason");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
  private static final byte[] REFUSAL = ascii("refusal");
  private static final byte[] TOOL_CALLS = ascii("tool_calls");
  private static final byte[] FUNCTION = ascii("function");
  private static final byte[] NAME = ascii("name");
  private static final byte[] ARGUMENTS = ascii("arguments");
  private static final byte[][] BODY_FIELDS = {ID, MODEL, CREATED, CHOICES, USAGE};
  private static final byte[][] CHOICE_FIELDS = {MESSAGE, FINISH_REASON};
  private static final byte[][] MESSAGE_FIELDS = {CONTENT, REASONING_CONTENT, REFUSAL, TOOL_CALLS};
  private static final byte[][] TOOL_CALL_FIELDS = {ID, FUNCTION};
  private static final byte[][] FUNCTION_FIELDS = {NAME, ARGUMENTS};

  /** What the unified answer needs of a completion, and where the gateway's own values go (-1: absent). */
  static final class Completion {
    String id;
    String model;
    int idStart = -1;
    int idEnd = -1;
    int modelStart = -1;
    int modelEnd = -1;
    int createdStart = -1;
    int createdEnd = -1;
    int choices;
    boolean hasMessage;
    String content;
    String reasoning;
    String refusal;
    final List<ContentBlock.ToolUse> toolCalls = new ArrayList<>(0);
    String finish;
    final Counts usage = new Counts();
  }

  /** Reads {@code data[0, length)} into {@code completion}. False: not read (it may be partly filled), to be read as a tree. */
  boolean read(byte[] data, int length, Completion completion) {
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
              completion.idStart = pos;
              completion.id = stringOrNull(true);
              completion.idEnd = pos;
            }
            case 1 -> {
              completion.modelStart = pos;
              completion.model = stringOrNull(true);
              completion.modelEnd = pos;
            }
            case 2 -> created(completion);
            case 3 -> choices(completion);
            case 4 -> usage(completion.usage);
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end && completion.hasMessage;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void created(Completion completion) {
    int start = pos;
    byte b = peek();
    if (b != '-' && (b < '0' || b > '9')) {
      skipValue(0);
    } else if (number()) {
      completion.createdStart = start;
      completion.createdEnd = pos;
    }
  }

  private void choices(Completion completion) {
    expect('[');
    ws();
    if (next(']')) {
      return;
    }
    if (peek() != '{') {
      throw GIVE_UP;
    }
    choice(completion);
    completion.choices = 1;
    while (separator(']')) {
      skipValue(1);
      completion.choices++;
    }
  }

  private void choice(Completion completion) {
    pos++;
    ws();
    if (next('}')) {
      throw GIVE_UP;
    }
    int seen = 0;
    do {
      int field = name(CHOICE_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> message(completion);
        case 1 -> completion.finish = stringOrNull(true);
        default -> skipValue(2);
      }
    } while (separator('}'));
  }

  private void message(Completion completion) {
    expect('{');
    completion.hasMessage = true;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(MESSAGE_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> completion.content = stringOrNull(true);
        case 1 -> completion.reasoning = stringOrNull(true);
        case 2 -> completion.refusal = stringOrNull(true);
        case 3 -> toolCalls(completion);
        default -> skipValue(3);
      }
    } while (separator('}'));
  }

  private void toolCalls(Completion completion) {
    if (peek() == 'n') {
      nullOnly();
      return;
    }
    expect('[');
    ws();
    if (next(']')) {
      return;
    }
    do {
      completion.toolCalls.add(toolCall());
    } while (separator(']'));
  }

  private ContentBlock.ToolUse toolCall() {
    expect('{');
    ws();
    String id = null;
    String name = null;
    String arguments = null;
    boolean function = false;
    if (!next('}')) {
      int seen = 0;
      do {
        int field = name(TOOL_CALL_FIELDS);
        seen = once(seen, field);
        if (field == 0) {
          id = stringOrNull(true);
        } else if (field == 1) {
          function = true;
          expect('{');
          ws();
          if (!next('}')) {
            int inner = 0;
            do {
              int f = name(FUNCTION_FIELDS);
              inner = once(inner, f);
              switch (f) {
                case 0 -> name = stringOrNull(true);
                case 1 -> arguments = stringOrNull(true);
                default -> skipValue(6);
              }
            } while (separator('}'));
          }
        } else {
          skipValue(5);
        }
      } while (separator('}'));
    }
    if (!function || id == null || name == null) {
      throw GIVE_UP;
    }
    return new ContentBlock.ToolUse(id, name, arguments, null);
  }
}
