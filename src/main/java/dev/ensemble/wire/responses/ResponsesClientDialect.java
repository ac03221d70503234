package dev.ensemble.wire.responses;

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

import java.util.List;

/**
 * OpenAI's Responses API as clients speak it: {@code POST /v1/responses} (a {@code response} object, or its
 * semantic SSE events), {@code GET} and {@code DELETE /v1/responses/{id}} for the answers a client stored.
 * Errors are OpenAI's {@code {"error":{...}}}. A stored answer keeps the conversation as input items (the input
 * the client sent, after any earlier response it continued, then the answer's output items), so
 * {@code previous_response_id} continues it. Stateless and thread-safe.
 */
public final class ResponsesClientDialect implements ClientDialect {

  private final ResponsesRequestDecoder requests = new ResponsesRequestDecoder();
  private final ResponseObjects objects = new ResponseObjects();
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
   * The stored conversation, then this call's input: decoded again as one input list, so the turns merge as if
   * the client had sent the whole history. {@code instructions}, tools and settings are this call's own, as with
   * OpenAI (an earlier response's instructions do not carry over).
   */
  @Override
  public ClientCall continueFrom(ClientCall call, JsonArray storedConversation) {
    JsonArray input = storedConversation.copy();
    call.echo().getJsonArray("input_items", new JsonArray()).forEach(input::add);
    UnifiedRequest.Builder merged = UnifiedRequest.builder(call.request().model());
    call.request().system().forEach(merged::system);
    ClientCall decoded;
    try {
      decoded = requests.decode(new JsonObject().put("model", call.request().model()).put("input", input));
    } catch (GatewayError e) {
      throw GatewayError.invalid("previous_response_id", "the stored conversation could not be continued: " + e.getMessage());
    }
    decoded.request().system().forEach(merged::system);
    decoded.request().messages().forEach(merged::message);
    UnifiedRequest own = call.request();
    own.tools().forEach(merged::tool);
    UnifiedRequest request = merged.toolChoice(own.toolChoice()).maxTokens(own.maxTokens()).temperature(own.temperature())
        .topP(own.topP()).topK(own.topK()).stream(own.stream()).includeUsage(own.includeUsage()).reasoning(own.reasoning())
        .user(own.user()).responseFormat(own.responseFormat()).build();
    JsonObject echo = call.echo().copy().put("input_items", input);
    return new ClientCall(request, call.sessionKey(), call.continuesFrom(), call.store(), echo);
  }

  @Override
  public JsonArray conversation(ClientCall call, UnifiedResponse answer) {
    JsonArray items = call.echo().getJsonArray("input_items", new JsonArray()).copy();
    ResponseObjects.asInputItems(answer).forEach(items::add);
    return items;
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return objects.response(response, context);
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
