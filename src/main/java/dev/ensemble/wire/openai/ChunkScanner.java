package dev.ensemble.wire.openai;

import dev.ensemble.wire.JsonScanner;

/**
 * Reads the usual {@code chat.completion.chunk} — an envelope and one choice with a text, reasoning, refusal or
 * tool-call delta and perhaps a finish reason, or the usage chunk ({@code "choices":[]} and a {@code usage} object of
 * token counts, {@link UsageScanner}) — straight from its UTF-8 bytes into the decoder's
 * {@link OpenAiStreamDecoder.Chunk}, in one pass and without a parser object, field-name table or value objects
 * beyond the strings the unified events carry ({@link JsonScanner}'s grammar). It checks the whole chunk is strict
 * JSON while it reads.
 *
 * <p>It reads only what it is sure of and gives up ({@code false}) on everything else: an {@code error} object, a
 * {@code usage} object other than counts, a field of the unexpected type, a field the chunk repeats, an escape in a field name, JSON it
 * cannot accept, a number or string past its limits. The decoder then reads the chunk again with Jackson, which
 * decides as it always did (so the errors and odd cases keep their one implementation). One scanner per decoder,
 * confined to the stream's event loop; it keeps a reference to the bytes only during {@link #read}.
 */
final class ChunkScanner extends UsageScanner {

  private static final byte[] ID = ascii("id");
  private static final byte[] MODEL = ascii("model");
  private static final byte[] CREATED = ascii("created");
  private static final byte[] CHOICES = ascii("choices");
  private static final byte[] ERROR = ascii("error");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] DELTA = ascii("delta");
  private static final byte[] FINISH_REASON = ascii("finish_reason");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
  private static final byte[] REFUSAL = ascii("refusal");
  private static final byte[] TOOL_CALLS = ascii("tool_calls");
  private static final byte[] INDEX = ascii("index");
  private static final byte[] FUNCTION = ascii("function");
  private static final byte[] NAME = ascii("name");
  private static final byte[] ARGUMENTS = ascii("arguments");
  private static final byte[][] CHUNK_FIELDS = {ID, MODEL, CREATED, CHOICES, ERROR, USAGE};
  private static final byte[][] CHOICE_FIELDS = {DELTA, FINISH_REASON};
  private static final byte[][] DELTA_FIELDS = {CONTENT, REASONING_CONTENT, REFUSAL, TOOL_CALLS};
  private static final byte[][] TOOL_CALL_FIELDS = {INDEX, ID, FUNCTION};
  private static final byte[][] FUNCTION_FIELDS = {NAME, ARGUMENTS};

  /**
   * Reads {@code data[offset, offset + length)} into {@code chunk} (cleared by the caller); the chunk's {@code id} and
   * {@code model} strings only with {@code idAndModel} (their places in the bytes always). False: not read (the chunk
   * may be partly filled), to be read by Jackson.
   */
  boolean read(byte[] data, int offset, int length, OpenAiStreamDecoder.Chunk chunk, boolean idAndModel) {
    begin(data, offset, length);
    try {
      ws();
      expect('{');
      int seen = 0;
      if (!next('}')) {
        do {
          int field = name(CHUNK_FIELDS);
          seen = once(seen, field);
          switch (field) {
            case 0 -> {
              chunk.idStart = pos;
              chunk.id = stringOrNull(idAndModel);
              chunk.idEnd = pos;
            }
            case 1 -> {
              chunk.modelStart = pos;
              chunk.model = stringOrNull(idAndModel);
              chunk.modelEnd = pos;
            }
            case 2 -> created(chunk);
            case 3 -> choices(chunk);
            case 4 -> nullOnly();
            case 5 -> usage(chunk.counts);
            default -> skipValue(0);
          }
        } while (separator('}'));
      }
      ws();
      return pos == end;
    } catch (GiveUp e) {
      return false;
    } finally {
      done();
    }
  }

  private void created(OpenAiStreamDecoder.Chunk chunk) {
    int start = pos;
    byte b = peek();
    if (b == '-' || (b >= '0' && b <= '9')) {
      if (number()) {
        chunk.createdStart = start;
        chunk.createdEnd = pos;
      }
    } else {
      skipValue(0);
    }
  }

  private void choices(OpenAiStreamDecoder.Chunk chunk) {
    if (peek() != '[') {
      skipValue(0);
      return;
    }
    pos++;
    ws();
    if (next(']')) {
      return;
    }
    if (peek() != '{') {
      throw GIVE_UP;
    }
    chunk.hasChoice = true;
    choice(chunk);
    while (separator(']')) {
      skipValue(1);
    }
  }

  private void choice(OpenAiStreamDecoder.Chunk chunk) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(CHOICE_FIELDS);
      seen = once(seen, field);
      if (field == 0 && peek() == '{') {
        chunk.hasDelta = true;
        delta(chunk);
      } else if (field == 1) {
        chunk.finish = stringOrNull(true);
      } else {
        skipValue(2);
      }
    } while (separator('}'));
  }

  private void delta(OpenAiStreamDecoder.Chunk chunk) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(DELTA_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> chunk.content = stringOrNull(true);
        case 1 -> chunk.reasoning = stringOrNull(true);
        case 2 -> chunk.refusal = stringOrNull(true);
        case 3 -> toolCalls(chunk);
        default -> skipValue(3);
      }
    } while (separator('}'));
  }

  private void toolCalls(OpenAiStreamDecoder.Chunk chunk) {
    if (peek() != '[') {
      skipValue(3);
      return;
    }
    pos++;
    ws();
    if (next(']')) {
      return;
    }
    int position = 0;
    do {
      if (peek() != '{') {
        throw GIVE_UP;
      }
      OpenAiStreamDecoder.ToolCall call = new OpenAiStreamDecoder.ToolCall(position++);
      toolCall(call);
      chunk.toolCalls.add(call);
    } while (separator(']'));
  }

  private void toolCall(OpenAiStreamDecoder.ToolCall call) {
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(TOOL_CALL_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> call.index = smallInt();
        case 1 -> call.id = stringOrNull(true);
        case 2 -> function(call);
        default -> skipValue(5);
      }
    } while (separator('}'));
  }

  private void function(OpenAiStreamDecoder.ToolCall call) {
    if (peek() != '{') {
      skipValue(5);
      return;
    }
    pos++;
    ws();
    if (next('}')) {
      return;
    }
    int seen = 0;
    do {
      int field = name(FUNCTION_FIELDS);
      seen = once(seen, field);
      switch (field) {
        case 0 -> call.name = stringOrNull(true);
        case 1 -> call.arguments = stringOrNull(true);
        default -> skipValue(6);
      }
    } while (separator('}'));
  }
}
