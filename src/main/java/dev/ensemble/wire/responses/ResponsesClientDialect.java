package dev.ensemble.wire.responses;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import dev.ensemble.wire.openai.OpenAiErrors;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;

/**
 * OpenAI's Responses API as clients speak it: {@code POST /v1/responses} (a {@code response} object, or its
 * semantic SSE events), {@code GET} and {@code DELETE /v1/responses/{id}} for the answers a client stored.
 * Errors are OpenAI's {@code {"error":{...}}}. A stored answer keeps the conversation as input items (the input
 * the client sent, after any earlier response it continued, then the answer's output items), so
 * {@code previous_response_id} continues it; it also keeps the input the client sent, which
 * {@code GET /v1/responses/{id}/input_items} lists ({@link InputItemList}). Stateless and thread-safe.
 */
public final class ResponsesClientDialect implements ClientDialect {

  private final ResponsesRequestDecoder requests = new ResponsesRequestDecoder();
  private final ResponseObjects objects = new ResponseObjects();
  private final ResponseObjectWriter writer = new ResponseObjectWriter();
  private final OpenAiErrors errors = new OpenAiErrors();

  @Override
  public String name() {
    return "responses";
  }

  @Override
  public List<String> chatPaths() {
    return List.of("/v1/responses");
  }

  @Override
  public boolean owns(String path) {
    return path.equals("/v1/responses") || path.startsWith("/v1/responses/");
  }

  @Override
  public String storedResponsePath() {
    return "/v1/responses/:id";
  }

  @Override
  public JsonObject encodeDeleted(String id) {
    return new JsonObject().put("id", id).put("object", "response.deleted").put("deleted", true);
  }

  @Override
  public UnifiedRequest decodeRequest(JsonObject body) {
    return requests.decode(body).request();
  }

  @Override
  public ClientCall decode(JsonObject body, MultiMap params) {
    return requests.decode(body);
  }

  /**
   * The stored conversation, then this call's input: the call's body decoded again with that whole history as its
   * input, so the turns merge as if the client had sent it all (and a history holding what only OpenAI serves, a
   * built-in tool's items say, goes to OpenAI as is). {@code instructions}, tools and settings are this call's own,
   * as with OpenAI (an earlier response's instructions do not carry over).
   */
  @Override
  public ClientCall continueFrom(ClientCall call, JsonArray storedConversation) {
    JsonArray input = storedConversation.copy();
    call.echo().getJsonArray("input_items", new JsonArray()).forEach(input::add);
    JsonObject body = call.echo().getJsonObject("request_body", new JsonObject().put("model", call.request().model())).copy()
        .put("model", call.request().model()).put("input", input);
    body.remove("previous_response_id");
    ClientCall decoded;
    try {
      decoded = requests.decode(body);
    } catch (GatewayError e) {
      throw GatewayError.invalid("previous_response_id", "the stored conversation could not be continued: " + e.getMessage());
    }
    UnifiedRequest request = decoded.request().toBuilder().stream(call.request().stream()).includeUsage(call.request().includeUsage()).build();
    JsonObject echo = decoded.echo().put("previous_response_id", call.continuesFrom())
        .put("request_input", call.echo().getJsonArray("request_input"));
    return new ClientCall(request, call.sessionKey(), call.continuesFrom(), call.store(), echo);
  }

  /** The input the client sent with this call (not an earlier response's it continued), each item with an id. */
  @Override
  public JsonArray inputItems(ClientCall call, String responseId) {
    return InputItemList.stored(call.echo().getJsonArray("request_input", new JsonArray()), responseId);
  }

  @Override
  public JsonObject encodeInputItems(JsonArray inputItems, MultiMap params) {
    return InputItemList.page(inputItems, params);
  }

  @Override
  public JsonArray conversation(ClientCall call, UnifiedResponse answer) {
    JsonArray items = call.echo().getJsonArray("input_items", new JsonArray()).copy();
    ResponseObjects.asInputItems(answer, call.echo()).forEach(items::add);
    return items;
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return objects.response(response, context);
  }

  @Override
  public void writeResponse(UnifiedResponse response, ResponseContext context, JsonGenerator g) throws IOException {
    writer.write(response, context, g);
  }

  @Override
  public StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context) {
    return new ResponsesStreamEncoder(context, objects, errors);
  }

  @Override
  public JsonObject encodeError(GatewayError error) {
    return errors.encode(error);
  }
}
