package dev.ensemble.wire.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ensemble.model.ClientBody;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.wire.RequestJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a plain OpenAI chat request straight from the client's bytes, without a JSON tree, and keeps those bytes with
 * it ({@link ClientBody}) so that an OpenAI-format upstream is sent them with only what the gateway changes spliced in
 * ({@link RequestSplice}). Plain means: the fields {@code model}, {@code messages}, {@code stream},
 * {@code stream_options} (only {@code include_usage}), {@code max_tokens} or {@code max_completion_tokens},
 * {@code temperature}, {@code top_p}, {@code user}, {@code reasoning_effort} and {@code stop} (an array of strings),
 * each once and none {@code null}; messages of exactly a {@code role} ({@code system} before any other,
 * {@code user}, {@code assistant}) and a string {@code content}. For such a body the request is exactly the one
 * {@link OpenAiRequestCodec#decode} makes of its tree. Any other body (tools, content parts, other roles or fields, a
 * value the decoder refuses, JSON {@link RequestJson} refuses) gives null and is read the usual way, which says what
 * is wrong with it. Stateless.
 */
final class PlainRequestReader {

  /** Marks: the model's value (first byte, byte after its last). */
  static final int MODEL_START = 0;
  static final int MODEL_END = 1;
  /** Marks: the output limit's field name, quotes included; -1 when none. */
  static final int LIMIT_NAME_START = 2;
  static final int LIMIT_NAME_END = 3;
  /** Marks: the {@code stream_options} value; -1 when none. */
  static final int STREAM_OPTIONS_START = 4;
  static final int STREAM_OPTIONS_END = 5;
  /** Marks: 1 when {@code stream_options.include_usage} is {@code true}, else 0. */
  static final int USAGE_ASKED = 6;
  /** Marks: the top-level object's closing brace. */
  static final int OBJECT_END = 7;
  private static final int MARKS = 8;

  private static final int MODEL = 1;
  private static final int MESSAGES = 1 << 1;
  private static final int STREAM = 1 << 2;
  private static final int STREAM_OPTIONS = 1 << 3;
  private static final int LIMIT = 1 << 4;
  private static final int TEMPERATURE = 1 << 5;
  private static final int TOP_P = 1 << 6;
  private static final int USER = 1 << 7;
  private static final int EFFORT = 1 << 8;
  private static final int STOP = 1 << 9;

  private PlainRequestReader() {
  }

  /** The request in {@code body} with the body kept, or null when it is not a plain request. */
  static UnifiedRequest read(byte[] body) {
    JsonParser parser = RequestJson.strictParser(body);
    if (parser == null) {
      return null;
    }
    try (parser) {
      return read(parser, body);
    } catch (IOException notPlainJson) {
      return null;
    }
  }

  private static UnifiedRequest read(JsonParser p, byte[] body) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    boolean escapes = unicodeEscapes(body);
    int[] marks = new int[MARKS];
    Arrays.fill(marks, -1);
    marks[USAGE_ASKED] = 0;
    String model = null;
    List<ContentBlock.Text> system = new ArrayList<>(2);
    List<Message> turns = new ArrayList<>(4);
    boolean stream = false;
    boolean usageAsked = false;
    Integer limit = null;
    Double temperature = null;
    Double topP = null;
    String user = null;
    String effort = null;
    List<String> stop = null;
    int seen = 0;
    JsonToken token;
    while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      int nameStart = (int) p.currentTokenLocation().getByteOffset();
      int field = field(name);
      if (field == 0 || (seen & field) != 0) {
        return null;
      }
      seen |= field;
      JsonToken value = p.nextToken();
      switch (field) {
        case MODEL -> {
          model = string(p, value, escapes);
          if (model == null || model.isEmpty()) {
            return null;
          }
          marks[MODEL_START] = (int) p.currentTokenLocation().getByteOffset();
          marks[MODEL_END] = (int) p.currentLocation().getByteOffset();
        }
        case MESSAGES -> {
          if (value != JsonToken.START_ARRAY || !messages(p, system, turns, escapes) || system.size() + turns.size() == 0) {
            return null;
          }
        }
        case STREAM -> {
          if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            return null;
          }
          stream = value == JsonToken.VALUE_TRUE;
        }
        case STREAM_OPTIONS -> {
          if (value != JsonToken.START_OBJECT) {
            return null;
          }
          marks[STREAM_OPTIONS_START] = (int) p.currentTokenLocation().getByteOffset();
          JsonToken inner = p.nextToken();
          if (inner == JsonToken.FIELD_NAME) {
            JsonToken flag = p.nextToken();
            if (!"include_usage".equals(p.currentName()) || (flag != JsonToken.VALUE_TRUE && flag != JsonToken.VALUE_FALSE)) {
              return null;
            }
            usageAsked = flag == JsonToken.VALUE_TRUE;
            inner = p.nextToken();
          }
          if (inner != JsonToken.END_OBJECT) {
            return null;
          }
          marks[STREAM_OPTIONS_END] = (int) p.currentLocation().getByteOffset();
        }
        case LIMIT -> {
          limit = positiveInt(p, value);
          if (limit == null || !plainName(body, nameStart, name)) {
            return null;
          }
          marks[LIMIT_NAME_START] = nameStart;
          marks[LIMIT_NAME_END] = nameStart + name.length() + 2;
        }
        case TEMPERATURE -> {
          temperature = number(p, value, 2);
          if (temperature == null) {
            return null;
          }
        }
        case TOP_P -> {
          topP = number(p, value, 1);
          if (topP == null) {
            return null;
          }
        }
        case USER -> {
          user = string(p, value, escapes);
          if (user == null) {
            return null;
          }
        }
        case EFFORT -> {
          effort = string(p, value, escapes);
          if (effort == null) {
            return null;
          }
        }
        case STOP -> {
          stop = strings(p, value, escapes);
          if (stop == null) {
            return null;
          }
        }
        default -> {
          return null;
        }
      }
    }
    if (token != JsonToken.END_OBJECT || (seen & (MODEL | MESSAGES)) != (MODEL | MESSAGES)) {
      return null;
    }
    marks[OBJECT_END] = (int) p.currentTokenLocation().getByteOffset();
    if (p.nextToken() != null) {
      return null;
    }
    marks[USAGE_ASKED] = usageAsked ? 1 : 0;
    UnifiedRequest.Builder builder = UnifiedRequest.builder(model);
    system.forEach(builder::system);
    turns.forEach(builder::message);
    if (stop != null) {
      stop.forEach(builder::stop);
    }
    if (effort != null) {
      builder.reasoning(new UnifiedRequest.Reasoning(null, effort));
    }
    return builder.maxTokens(limit).temperature(temperature).topP(topP).user(user)
        .stream(stream).includeUsage(stream && usageAsked)
        .clientBody(new ClientBody("openai", body, marks))
        .build();
  }

  private static int field(String name) {
    return switch (name) {
      case "model" -> MODEL;
      case "messages" -> MESSAGES;
      case "stream" -> STREAM;
      case "stream_options" -> STREAM_OPTIONS;
      // both names are one field: a body with both is not plain (the decoder takes one and ignores the other)
      case "max_tokens", "max_completion_tokens" -> LIMIT;
      case "temperature" -> TEMPERATURE;
      case "top_p" -> TOP_P;
      case "user" -> USER;
      case "reasoning_effort" -> EFFORT;
      case "stop" -> STOP;
      default -> 0;
    };
  }

  /**
   * The messages up to the array's end into system blocks and turns; false when one is not plain (a system message
   * after a turn would be moved before the turns by the encoder, so it is not plain either).
   */
  private static boolean messages(JsonParser p, List<ContentBlock.Text> system, List<Message> turns, boolean escapes)
      throws IOException {
    JsonToken token;
    while ((token = p.nextToken()) == JsonToken.START_OBJECT) {
      String role = null;
      String content = null;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        String text = string(p, p.nextToken(), escapes);
        if (text == null) {
          return false;
        }
        if (role == null && name.equals("role")) {
          role = text;
        } else if (content == null && name.equals("content")) {
          content = text;
        } else {
          return false;
        }
      }
      if (token != JsonToken.END_OBJECT || role == null || content == null) {
        return false;
      }
      switch (role) {
        case "system" -> {
          if (!turns.isEmpty()) {
            return false;
          }
          system.add(ContentBlock.Text.of(content));
        }
        case "user" -> turns.add(new Message(Role.USER, List.of(ContentBlock.Text.of(content))));
        // an empty assistant content is one empty text block in the decoder too
        case "assistant" -> turns.add(new Message(Role.ASSISTANT, List.of(ContentBlock.Text.of(content))));
        default -> {
          return false;
        }
      }
    }
    return token == JsonToken.END_ARRAY;
  }

  /**
   * A string value that UTF-8 can carry, or null. Only a backslash-u escape can make an unpaired surrogate (the bytes
   * are well-formed UTF-8, which encodes none), so strings are checked only when the body has {@code escapes}.
   */
  private static String string(JsonParser p, JsonToken value, boolean escapes) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      return null;
    }
    String text = p.getText();
    return !escapes || RequestJson.validUnicode(text) ? text : null;
  }

  /** Whether a backslash followed by {@code u} occurs anywhere in the body (an escaped backslash before a u counts too). */
  private static boolean unicodeEscapes(byte[] body) {
    for (int i = 0; i + 1 < body.length; i++) {
      if (body[i] == '\\' && body[i + 1] == 'u') {
        return true;
      }
    }
    return false;
  }

  private static List<String> strings(JsonParser p, JsonToken value, boolean escapes) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      return null;
    }
    List<String> out = new ArrayList<>(2);
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      String s = string(p, token, escapes);
      if (s == null) {
        return null;
      }
      out.add(s);
    }
    return out.isEmpty() ? null : out;
  }

  /** An integer from 1 to {@code Integer.MAX_VALUE}, or null (the decoder's 400s are the usual path's to say). */
  private static Integer positiveInt(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT) {
      return null;
    }
    Number n = p.getNumberValue();
    if (!(n instanceof Integer || n instanceof Long)) {
      return null;
    }
    long l = n.longValue();
    return l > 0 && l <= Integer.MAX_VALUE ? (int) l : null;
  }

  /** A number from 0 to {@code max} as the decoder reads it, or null. */
  private static Double number(JsonParser p, JsonToken value, double max) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
      return null;
    }
    double d = p.getNumberValue().doubleValue();
    return d >= 0 && d <= max ? d : null;
  }

  /** Whether the field name at {@code start} is written as its quoted name, without escapes. */
  private static boolean plainName(byte[] body, int start, String name) {
    int end = start + name.length() + 1;
    if (end >= body.length || body[start] != '"' || body[end] != '"') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (body[start + 1 + i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
