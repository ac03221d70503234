package dev.ensemble.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.ensemble.model.GatewayError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a client sends (an HTTP request body, a WebSocket text frame) as strict JSON (RFC 8259): UTF-8 only
 * (a UTF-16 or otherwise non-UTF-8 body is refused, never guessed at), no comments, no {@code NaN} or
 * {@code Infinity}, no trailing commas, no unpaired UTF-16 surrogates in strings ({@code "\ud800"}), at most
 * {@value #MAX_DEPTH} levels deep. Every refusal is a 400 that says what is wrong in the caller's terms and,
 * where it can, which field ({@code messages[0].content}); nothing names the JSON library. Stateless and
 * thread-safe.
 */
public final class RequestJson {

  /** Deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 256;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();
  private static final Pattern TOKEN = Pattern.compile("(?:Unrecognized|Non-standard) token '([^']*)'");
  private static final Pattern NOISE = Pattern.compile("\\s*(?:\\(from `[^`]*`\\)|: enable `[^`]*`[^\\n]*|\\(for .*? `[^`]*`.*?\\))");

  private RequestJson() {
  }

  /**
   * The JSON object in {@code body}.
   *
   * @param what how the caller calls the thing ("request body", "frame"), for messages
   * @throws GatewayError 400 when it is empty, not UTF-8, not strict JSON, or not an object
   */
  public static JsonObject object(Buffer body, String what) {
    if (body == null || body.length() == 0) {
      throw GatewayError.invalid(null, "The " + what + " is empty; send a JSON object");
    }
    return object(body.getBytes(), what);
  }

  /** The JSON object in {@code bytes}; as {@link #object(Buffer, String)}. */
  public static JsonObject object(byte[] bytes, String what) {
    if (bytes.length == 0) {
      throw GatewayError.invalid(null, "The " + what + " is empty; send a JSON object");
    }
    if (Utf8.parsesAsIs(bytes)) {
      // Strict UTF-8 that Jackson cannot take for another encoding: parsed from the bytes, without decoding them to a
      // String first. A refusal falls through to the text path, which says what is wrong exactly as it always has
      // (positions in characters, not bytes).
      try {
        return object(FACTORY.createParser(bytes), what);
      } catch (IOException | GatewayError refused) {
        // the text path below reports it
      }
    }
    return object(decoded(bytes, what), what);
  }

  /**
   * A parser with this class's rules over {@code bytes}, or null when they are not UTF-8 that parses as is; for a
   * reader that takes a request's fields as they come and leaves every body it does not take to {@link #object}
   * (which says what is wrong with it). Strings it reads must still pass {@link #validUnicode}.
   */
  public static JsonParser strictParser(byte[] bytes) {
    if (bytes.length == 0 || !Utf8.parsesAsIs(bytes)) {
      return null;
    }
    try {
      return FACTORY.createParser(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether {@code s} holds no unpaired UTF-16 surrogate ({@link #object} refuses a body with one). */
  public static boolean validUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static String decoded(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw GatewayError.invalid(null, "The " + what + " is not UTF-8 text; send JSON encoded as UTF-8");
    }
  }

  /** The JSON object in {@code text}; as {@link #object(Buffer, String)}. */
  public static JsonObject object(String text, String what) {
    if (text.isEmpty()) {
      throw GatewayError.invalid(null, "The " + what + " is empty; send a JSON object");
    }
    if (text.charAt(0) == '\uFEFF') {
      throw GatewayError.invalid(null, "The " + what + " starts with a byte order mark; send JSON encoded as UTF-8 without one");
    }
    JsonParser parser;
    try {
      parser = FACTORY.createParser(text);
    } catch (IOException e) {
      throw GatewayError.invalid(null, "The " + what + " could not be read");
    }
    return object(parser, what);
  }

  /** The one JSON object {@code parser} reads, which it closes. */
  private static JsonObject object(JsonParser source, String what) {
    try (JsonParser parser = source) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw GatewayError.invalid(null, "The " + what + " must be a JSON object");
      }
      JsonObject object = readObject(parser);
      if (parser.nextToken() != null) {
        throw GatewayError.invalid(null, "The " + what + " has more after its JSON object");
      }
      return object;
    } catch (StreamConstraintsException e) {
      throw GatewayError.invalid(null, "The " + what + " is not acceptable JSON: " + constraint(e));
    } catch (JsonProcessingException e) {
      throw GatewayError.invalid(null, "The " + what + " is not valid JSON: " + describe(e));
    } catch (IOException e) {
      throw GatewayError.invalid(null, "The " + what + " could not be read");
    }
  }

  private static JsonObject readObject(JsonParser parser) throws IOException {
    JsonObject object = new JsonObject();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = checked(parser, parser.currentName());
      object.put(name, readValue(parser, parser.nextToken()));
    }
    if (token != JsonToken.END_OBJECT) {
      throw new IllegalStateException("unexpected " + token);
    }
    return object;
  }

  private static JsonArray readArray(JsonParser parser) throws IOException {
    JsonArray array = new JsonArray();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      array.add(readValue(parser, token));
    }
    return array;
  }

  private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> readObject(parser);
      case START_ARRAY -> readArray(parser);
      case VALUE_STRING -> checked(parser, parser.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalStateException("unexpected " + token);
    };
  }

  /** {@code s}, unless it holds an unpaired surrogate (a {@code \\uD800} escape alone): no UTF-8 text can carry that. */
  private static String checked(JsonParser parser, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        String at = field(parser);
        throw GatewayError.invalid(at, "contains an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c)
            + "); text must be valid Unicode");
      }
    }
    return s;
  }

  /** Where the parser is, as {@code messages[0].content}, or null at the top. */
  private static String field(JsonParser parser) {
    String pointer = parser.getParsingContext().pathAsPointer().toString();
    if (pointer.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String step : pointer.substring(1).split("/", -1)) {
      String name = step.replace("~1", "/").replace("~0", "~");
      if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && !out.isEmpty()) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(name);
      }
    }
    return out.toString();
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String at = e.getProcessor() instanceof JsonParser p ? field(p) : null;
    Matcher token = TOKEN.matcher(message);
    String what;
    if (token.find() && (token.group(1).contains("NaN") || token.group(1).contains("Infinity"))) {
      what = token.group(1) + " is not a number JSON can hold";
    } else if (message.startsWith("Unexpected character ('/'")) {
      what = "comments are not allowed in JSON";
    } else if (message.contains("end-of-input")) {
      what = "the JSON ends early";
    } else {
      what = NOISE.matcher(message).replaceAll("").strip();
      int nl = what.indexOf('\n');
      what = nl < 0 ? what : what.substring(0, nl);
    }
    String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    return (at == null ? "" : at + ": ") + what + where;
  }

  private static String constraint(StreamConstraintsException e) {
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (message.contains("nesting depth") || message.contains("NestingDepth")) {
      return "the JSON is nested too deeply (more than " + MAX_DEPTH + " levels of objects and arrays)";
    }
    if (message.contains("Number value length") || message.contains("NumberLength")) {
      return "a number has too many digits";
    }
    if (message.contains("String value length") || message.contains("StringLength")) {
      return "a string is too long";
    }
    if (message.contains("Name length") || message.contains("NameLength")) {
      return "a field name is too long";
    }
    return "it is larger than the gateway reads";
  }
}
