package dev.ensemble.wire.openai;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ensemble.wire.JsonStreams;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes an OpenAI-format upstream's streamed chat completion ({@code data: {chat.completion.chunk}} frames
 * ending in {@code data: [DONE]}) into unified events. The block open when {@code finish_reason} arrives is
 * closed at once; {@link StreamEvent.ResponseEnd} waits for {@code [DONE]} because the usage chunk
 * ({@code choices: []}) comes after the finish chunk. A stream that closes after both the finish reason and
 * the usage but without {@code [DONE]} still counts as complete.
 *
 * <p>Tool calls must arrive one after another, as OpenAI sends them: arguments for a call after the next
 * call has started cannot be placed in the unified sequence and fail the stream with
 * {@link UpstreamProtocolException}, as does a chunk that is not JSON. A chunk carrying {@code error}
 * ends the stream with {@link StreamEvent.Error}.
 *
 * <p>Each chunk is read straight from the SSE bytes into a reused {@link Chunk} (the few fields the unified events
 * need; everything else is skipped), then applied in a fixed order, whatever the order of the fields in the JSON:
 * by the {@link ChunkScanner} when it is a usual chunk (nearly all of them), else by Jackson's streaming parser, which
 * also makes the stream's error for a chunk that is not valid. Only an {@code error} object, or a {@code usage} object
 * the scanner does not read (anything but token counts), becomes a tree.
 */
public final class OpenAiStreamDecoder implements StreamDecoder {

  private final SseParser parser = new SseParser();
  private final SseParser.Events onEvent = (name, data, offset, length) -> handle(data, offset, length);
  private final Set<Integer> toolIndexes = new HashSet<>();
  private final Chunk chunk = new Chunk();
  /** Null when every chunk is to be read by Jackson (tests compare the two readings). */
  private final ChunkScanner scanner;
  /** Set when the client speaks OpenAI too: the stream's frames are passed through to it ({@link ChunkSplice}). */
  private ChunkSplice relay;
  /** The offset in the SSE data of the byte Jackson counts as 0 (its locations are relative to where it started). */
  private int base;
  private List<StreamEvent> out;
  private boolean started;
  private boolean completed;
  private int nextBlock;
  private int openBlock = -1;
  private BlockKind openKind;
  private int openToolIndex = -1;
  private String finishReason;
  private boolean refused;
  private boolean sawUsage;
  private Usage usage = Usage.UNKNOWN;

  public OpenAiStreamDecoder() {
    this(true);
  }

  /** @param scan whether usual chunks are read by the {@link ChunkScanner}; false: Jackson reads every chunk */
  OpenAiStreamDecoder(boolean scan) {
    this.scanner = scan ? new ChunkScanner() : null;
  }

  /** Pass-through: the frames of the stream are also staged, spliced, into {@code relay} (asked for by the encoder). */
  void relayTo(ChunkSplice relay) {
    this.relay = relay;
  }

  @Override
  public List<StreamEvent> feed(Buffer bytes) {
    out = new ArrayList<>();
    if (relay != null) {
      relay.begin(bytes.length());
    }
    parser.feed(bytes, onEvent);
    if (relay != null) {
      relay.commit();
    }
    return out;
  }

  @Override
  public List<StreamEvent> finish() {
    out = new ArrayList<>();
    if (relay != null) {
      relay.discard();
    }
    parser.finish(onEvent);
    if (!completed && finishReason != null && sawUsage) {
      end();
    }
    if (relay != null) {
      relay.commit();
    }
    return out;
  }

  @Override
  public boolean completed() {
    return completed;
  }

  @Override
  public Usage reported() {
    return usage;
  }

  private void handle(byte[] data, int offset, int length) {
    if (completed) {
      return;
    }
    if (isDone(data, offset, length)) {
      ensureStarted(null, null);
      end();
      if (relay != null) {
        relay.done();
      }
      return;
    }
    chunk.clear();
    if (scanner == null || !scanner.read(data, offset, length, chunk, !started)) {
      chunk.clear();
      readWithJackson(data, offset, length);
    }
    apply();
    if (relay != null && chunk.error == null && (chunk.hasChoice || !chunk.hasUsage() || relay.includeUsage())) {
      relay.frame(data, offset, length, chunk.idStart, chunk.idEnd, chunk.modelStart, chunk.modelEnd, chunk.createdStart,
          chunk.createdEnd);
    }
  }

  /** The chunk the {@link ChunkScanner} did not read (an error or usage object, anything unusual), read by Jackson. */
  private void readWithJackson(byte[] data, int offset, int length) {
    try (JsonParser p = JsonStreams.parser(data, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new UpstreamProtocolException("OpenAI stream chunk is not a JSON object");
      }
      if (relay != null) {
        int brace = offset;
        while (data[brace] != '{') {
          brace++;
        }
        base = brace - (int) p.currentTokenLocation().getByteOffset();
      }
      readChunk(p, data);
      if (!JsonStreams.atEnd(p)) {
        throw new UpstreamProtocolException("OpenAI stream chunk is not a JSON object");
      }
    } catch (IOException e) {
      throw new UpstreamProtocolException("OpenAI stream chunk is not a JSON object", e);
    }
  }

  private void apply() {
    if (chunk.error != null) {
      error(chunk.error);
      return;
    }
    String id = string(chunk.id, "id");
    String model = string(chunk.model, "model");
    ensureStarted(id, model);
    if (chunk.badChoice) {
      throw new UpstreamProtocolException("OpenAI stream choice is not an object");
    }
    if (chunk.hasChoice) {
      choice();
    }
    if (chunk.usage instanceof JsonObject reported) {
      usage = usage.mergedWith(OpenAiUsage.decode(reported));
      sawUsage = true;
      OpenAiUsage.logReportedCost(id, model, reported);
    } else if (chunk.counts.present) {
      usage = usage.mergedWith(chunk.counts.usage());
      sawUsage = true;
      OpenAiUsage.logReportedCost(id, model, chunk.counts.cost);
    }
  }

  private void choice() {
    if (chunk.hasDelta) {
      text(BlockKind.THINKING, string(chunk.reasoning, "reasoning_content"));
      text(BlockKind.TEXT, string(chunk.content, "content"));
      String refusal = string(chunk.refusal, "refusal");
      if (refusal != null && !refusal.isEmpty()) {
        refused = true;
        text(BlockKind.TEXT, refusal);
      }
      if (chunk.badToolCall) {
        throw new UpstreamProtocolException("OpenAI stream tool call is not an object");
      }
      for (ToolCall call : chunk.toolCalls) {
        toolCall(call);
      }
    }
    String finish = string(chunk.finish, "finish_reason");
    if (finish != null) {
      finishReason = finish;
      closeOpen();
    }
  }

  // --- reading one chunk ---

  private void readChunk(JsonParser p, byte[] data) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "id" -> {
          int start = relay == null ? -1 : valueStart(p);
          chunk.id = JsonStreams.scalar(p);
          if (relay != null) {
            chunk.idStart = start;
            chunk.idEnd = valueEnd(p, data, start);
          }
        }
        case "model" -> {
          int start = relay == null ? -1 : valueStart(p);
          chunk.model = JsonStreams.scalar(p);
          if (relay != null) {
            chunk.modelStart = start;
            chunk.modelEnd = valueEnd(p, data, start);
          }
        }
        case "created" -> {
          if (relay != null && p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            chunk.createdStart = valueStart(p);
            chunk.createdEnd = valueEnd(p, data, chunk.createdStart);
          }
          p.skipChildren();
        }
        case "error" -> chunk.error = JsonStreams.readValue(p);
        case "usage" -> chunk.usage = JsonStreams.readValue(p);
        case "choices" -> readChoices(p);
        default -> p.skipChildren();
      }
    }
  }

  private void readChoices(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    boolean first = true;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (first) {
        first = false;
        if (p.currentToken() == JsonToken.START_OBJECT) {
          chunk.hasChoice = true;
          readChoice(p);
          continue;
        }
        chunk.badChoice = true;
      }
      p.skipChildren();
    }
  }

  private void readChoice(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if ("delta".equals(name) && p.currentToken() == JsonToken.START_OBJECT) {
        chunk.hasDelta = true;
        readDelta(p);
      } else if ("finish_reason".equals(name)) {
        chunk.finish = JsonStreams.scalar(p);
      } else {
        p.skipChildren();
      }
    }
  }

  private void readDelta(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "content" -> chunk.content = JsonStreams.scalar(p);
        case "reasoning_content" -> chunk.reasoning = JsonStreams.scalar(p);
        case "refusal" -> chunk.refusal = JsonStreams.scalar(p);
        case "tool_calls" -> readToolCalls(p);
        default -> p.skipChildren();
      }
    }
  }

  private void readToolCalls(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    int position = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        chunk.badToolCall = true;
        p.skipChildren();
        position++;
        continue;
      }
      ToolCall call = new ToolCall(position++);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "index" -> call.index = p.currentToken().isNumeric() ? p.getNumberValue().intValue() : call.index;
          case "id" -> call.id = JsonStreams.scalar(p);
          case "function" -> readFunction(p, call);
          default -> p.skipChildren();
        }
      }
      chunk.toolCalls.add(call);
    }
  }

  private static void readFunction(JsonParser p, ToolCall call) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "name" -> call.name = JsonStreams.scalar(p);
        case "arguments" -> call.arguments = JsonStreams.scalar(p);
        default -> p.skipChildren();
      }
    }
  }

  private int valueStart(JsonParser p) {
    return base + (int) p.currentTokenLocation().getByteOffset();
  }

  /**
   * Where the scalar value starting at {@code start} ends (exclusive), found in the bytes themselves: a string's
   * closing quote (escapes skipped), a number's last digit, {@code null}. -1 for any other value (not spliced).
   */
  private static int valueEnd(JsonParser p, byte[] data, int start) {
    int limit = data.length;
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_STRING && data[start] == '"') {
      int i = start + 1;
      while (i < limit && data[i] != '"') {
        i += data[i] == '\\' ? 2 : 1;
      }
      return i < limit ? i + 1 : -1;
    }
    if (token == JsonToken.VALUE_NUMBER_INT) {
      int i = start;
      while (i < limit && (data[i] == '-' || (data[i] >= '0' && data[i] <= '9'))) {
        i++;
      }
      return i;
    }
    if (token == JsonToken.VALUE_NULL && data[start] == 'n') {
      return start + 4;
    }
    return -1;
  }

  private static boolean isDone(byte[] data, int offset, int length) {
    int start = offset;
    int end = offset + length;
    while (start < end && data[start] <= ' ') {
      start++;
    }
    while (end > start && data[end - 1] <= ' ') {
      end--;
    }
    return end - start == 6 && data[start] == '[' && data[start + 1] == 'D' && data[start + 2] == 'O'
        && data[start + 3] == 'N' && data[start + 4] == 'E' && data[start + 5] == ']';
  }

  /** A string field as read (String, null, or another value that makes the stream invalid). */
  private static String string(Object value, String field) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw new UpstreamProtocolException("OpenAI field '" + field + "' is not a string");
  }

  // --- unified events ---

  private void text(BlockKind kind, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    if (openKind != kind) {
      closeOpen();
      open(kind == BlockKind.TEXT ? StreamEvent.BlockStart.text(nextBlock) : StreamEvent.BlockStart.thinking(nextBlock));
    }
    out.add(StreamEvent.BlockDelta.text(openBlock, text));
  }

  private void toolCall(ToolCall call) {
    int index = call.index;
    if (toolIndexes.add(index)) {
      String id = string(call.id, "id");
      String name = string(call.name, "name");
      if (id == null || name == null) {
        throw new UpstreamProtocolException("OpenAI stream tool call " + index + " starts without id or name");
      }
      closeOpen();
      open(StreamEvent.BlockStart.toolUse(nextBlock, id, name));
      openToolIndex = index;
    }
    String arguments = string(call.arguments, "arguments");
    if (arguments == null || arguments.isEmpty()) {
      return;
    }
    if (openKind != BlockKind.TOOL_USE || openToolIndex != index) {
      throw new UpstreamProtocolException("OpenAI stream interleaves arguments of tool call " + index);
    }
    out.add(StreamEvent.BlockDelta.partialJson(openBlock, arguments));
  }

  private void error(Object value) {
    JsonObject error = value instanceof JsonObject e ? e : new JsonObject();
    Object message = error.getValue("message");
    String text = "upstream stream error" + (message instanceof String s && !s.isEmpty() ? ": " + s : "");
    out.add(new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, text)));
    completed = true;
  }

  private void ensureStarted(String id, String model) {
    if (!started) {
      started = true;
      out.add(new StreamEvent.ResponseStart(id, model, null, null, Usage.UNKNOWN));
    }
  }

  private void open(StreamEvent.BlockStart start) {
    out.add(start);
    openBlock = nextBlock++;
    openKind = start.kind();
  }

  private void closeOpen() {
    if (openKind != null) {
      out.add(new StreamEvent.BlockStop(openBlock));
      openKind = null;
      openToolIndex = -1;
    }
  }

  private void end() {
    closeOpen();
    StopReason stop = refused && "stop".equals(finishReason) ? StopReason.REFUSAL : FinishReasons.decode(finishReason);
    out.add(new StreamEvent.ResponseEnd(stop, null, usage, null));
    completed = true;
  }

  /** The fields of one {@code chat.completion.chunk} the decoder uses; one instance, cleared per chunk. */
  static final class Chunk {
    Object id;
    Object model;
    Object error;
    Object usage;
    boolean hasChoice;
    boolean badChoice;
    boolean hasDelta;
    Object content;
    Object reasoning;
    Object refusal;
    Object finish;
    boolean badToolCall;
    final List<ToolCall> toolCalls = new ArrayList<>(1);
    /** The {@code usage} object's counts when the {@link ChunkScanner} read it (Jackson's reading keeps it in {@link #usage}). */
    final UsageScanner.Counts counts = new UsageScanner.Counts();
    int idStart;
    int idEnd;
    int modelStart;
    int modelEnd;
    int createdStart;
    int createdEnd;

    void clear() {
      idStart = idEnd = modelStart = modelEnd = createdStart = createdEnd = -1;
      id = model = error = usage = content = reasoning = refusal = finish = null;
      hasChoice = badChoice = hasDelta = badToolCall = false;
      toolCalls.clear();
      counts.clear();
    }

    /** Whether the chunk has a {@code usage} object (read by either reading). */
    boolean hasUsage() {
      return usage instanceof JsonObject || counts.present;
    }
  }

  /** One entry of {@code delta.tool_calls}; {@code index} defaults to its position in the array. */
  static final class ToolCall {
    int index;
    Object id;
    Object name;
    Object arguments;

    ToolCall(int position) {
      this.index = position;
    }
  }
}
