package dev.ensemble.wire;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One client-facing API format (OpenAI Chat Completions, Anthropic Messages, OpenAI Responses, Gemini
 * generateContent): the chat routes it serves, how its callers present their gateway key, how a request is
 * decoded and an answer rendered, including errors. Ingress mounts every registered dialect the same way
 * ({@link ClientDialects}); adding a format is one implementation of this interface and one registry line.
 * Stateless and thread-safe.
 */
public interface ClientDialect {

  /** The format's name as persisted with a response and as named by a WebSocket frame's {@code format}. */
  String name();

  /** The Vert.x path patterns this format answers chats on with {@code POST} (e.g. {@code /v1/messages}). */
  List<String> chatPaths();

  /** Whether {@code path} belongs to this format: its authentication failures and unknown routes answer in it. */
  boolean owns(String path);

  /**
   * Whether a request for {@code path} with {@code headers} belongs to this format. The default is {@link #owns(String)};
   * a format whose SDKs call a shared route (the model catalog) and mark their requests with a header claims those too.
   */
  default boolean owns(String path, MultiMap headers) {
    return owns(path);
  }

  /**
   * The gateway key the caller presented, the way this format's SDKs send it, or null. The default reads
   * {@code Authorization: Bearer <key>}.
   */
  default String presentedKey(MultiMap headers, MultiMap params) {
    return bearer(headers);
  }

  /** How this format's callers send the key, for the 401 that asks for one. */
  default String keyHint() {
    return "Authorization: Bearer <key>";
  }

  /** Decodes a request body; throws a 400 {@link GatewayError} naming the offending field on bad input. */
  UnifiedRequest decodeRequest(JsonObject body);

  /**
   * A plain call read straight from the body's bytes, without a JSON tree, when the format has such a reader and the
   * body is one it takes (the request then keeps the bytes for an upstream of this format:
   * {@link dev.ensemble.model.ClientBody}); null (the default) when the body is to be parsed and {@link #decode}d.
   */
  default ClientCall decodePlain(byte[] body) {
    return null;
  }

  /**
   * Decodes a whole call: the body and the request's path and query parameters ({@code params}, empty on the
   * WebSocket). The default is {@link #decodeRequest} and nothing more.
   */
  default ClientCall decode(JsonObject body, MultiMap params) {
    return ClientCall.of(decodeRequest(body));
  }

  /**
   * A call that continues a stored conversation ({@link ClientCall#continuesFrom()}) with that conversation
   * ({@link #conversation} of the earlier response) put before its new input. Only formats with
   * server-side state support it.
   */
  default ClientCall continueFrom(ClientCall call, JsonArray storedConversation) {
    throw GatewayError.invalid(null, "This API format does not continue stored conversations");
  }

  /**
   * What to store with an answer so a later call can continue from it (the conversation so far in this format,
   * the answer included), or null for formats without server-side state.
   */
  default JsonArray conversation(ClientCall call, UnifiedResponse answer) {
    return null;
  }

  /**
   * The input of {@code call} as the format lists it back ({@code GET /v1/responses/{id}/input_items}), each item
   * with an id stable for response {@code responseId}; null for formats without such a listing.
   */
  default JsonArray inputItems(ClientCall call, String responseId) {
    return null;
  }

  /**
   * The body listing the stored {@code inputItems} of a response for {@code GET <storedResponsePath>/input_items},
   * with the caller's paging {@code params}; throws a 400 {@link GatewayError} naming a bad parameter. Only
   * formats whose {@link #inputItems} returns items list them.
   */
  default JsonObject encodeInputItems(JsonArray inputItems, MultiMap params) {
    throw GatewayError.invalid(null, "This API format does not list input items");
  }

  /**
   * The Vert.x path pattern (with {@code :id}) under which callers read ({@code GET}) and delete ({@code DELETE})
   * the answers they stored in this format, or null when the format has no such route.
   */
  default String storedResponsePath() {
    return null;
  }

  /** The body answering a successful delete of stored response {@code id}. */
  default JsonObject encodeDeleted(String id) {
    return new JsonObject().put("id", id).put("deleted", true);
  }

  /**
   * The Vert.x path regex on which this format counts a prompt's tokens with {@code POST} (Gemini's
   * {@code models/{model}:countTokens}), its named groups handed to {@link #decodeTokenCount} as parameters; null
   * when the format has no such call.
   */
  default String tokenCountPathRegex() {
    return null;
  }

  /**
   * Decodes a count-tokens call into the prompt it counts (never streamed); throws a 400 {@link GatewayError}
   * naming the offending field on bad input.
   */
  default UnifiedRequest decodeTokenCount(JsonObject body, MultiMap params) {
    throw new GatewayError(ErrorType.NOT_FOUND, 404, "This API format has no token count call", false, null, null);
  }

  /** A count as this format's answer to a count-tokens call. */
  default JsonObject encodeTokenCount(TokenCount count) {
    return new JsonObject().put("input_tokens", count.totalTokens());
  }

  /** Renders a complete answer in this format. */
  JsonObject encodeResponse(UnifiedResponse response, ResponseContext context);

  /**
   * A complete answer passed through as the upstream sent it ({@link UnifiedResponse#upstreamBody()}) when the
   * upstream spoke this very format: those bytes, with the values the gateway owns in place of the upstream's; null
   * (the default) when the answer is to be rendered by {@link #encodeResponse}.
   */
  default Buffer passThrough(UnifiedResponse response, ResponseContext context) {
    return null;
  }

  /** A fresh encoder for one streamed answer to {@code request}. */
  StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context);

  /** The error body in this format ({@code {"error":{...}}} or {@code {"type":"error","error":{...}}}). */
  JsonObject encodeError(GatewayError error);

  /** {@code Authorization: Bearer <key>}, trimmed, or null. */
  static String bearer(MultiMap headers) {
    String header = headers.get(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** A header's value, trimmed, or null when absent or blank. */
  static String header(MultiMap headers, String name) {
    String value = headers.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
