package dev.ensemble.providers.mock;

import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.providers.UpstreamTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in {@code mock} provider: an OpenAI-format upstream answered in-process, deterministically (the same
 * request always gets the same answer), so a fresh install serves its first request with no key and no network.
 * It answers by the request's path:
 * <ul>
 *   <li>{@code /chat/completions}: says which model it is and echoes the last user message; when the request
 *   forces a tool call it calls that tool with {@code {}}. Usage is counted as one token per four characters.
 *   Streams are split per word with {@code gapMs} between chunks.</li>
 *   <li>{@code /embeddings}: hashed unit vectors, one per input ({@link MockEmbeddings}).</li>
 *   <li>{@code /images/generations}: small solid-colour PNGs from the prompt's hash ({@link MockImages}).</li>
 * </ul>
 * Any other path is a 404 in OpenAI's error format. Holds no mutable state; each answer's stream lives on the
 * caller's context.
 */
public final class MockTransport implements UpstreamTransport {

  private final Vertx vertx;
  private final long gapMs;

  public MockTransport(Vertx vertx, long gapMs) {
    this.vertx = vertx;
    this.gapMs = gapMs;
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    JsonObject request;
    try {
      request = body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return Future.succeededFuture(reply(MockReply.error(400, "invalid_request_error", "body is not a JSON object")));
    }
    String path = path(absoluteUrl);
    if (path.endsWith("/embeddings")) {
      return Future.succeededFuture(reply(MockEmbeddings.answer(request)));
    }
    if (path.endsWith("/images/generations")) {
      // encoding PNGs (ImageIO, whose first use loads its plugin registry) is kept off the event loop
      return vertx.executeBlocking(() -> MockImages.answer(request), false).map(this::reply);
    }
    if (!path.endsWith("/chat/completions")) {
      return Future.succeededFuture(reply(MockReply.error(404, "invalid_request_error", "the mock provider has no " + path)));
    }
    MockAnswer answer = MockAnswer.of(request);
    Context context = vertx.getOrCreateContext();
    MultiMap responseHeaders = MultiMap.caseInsensitiveMultiMap().add("x-request-id", answer.id());
    if (request.getBoolean("stream", false)) {
      responseHeaders.add("content-type", "text/event-stream");
      return Future.succeededFuture(new Response(200, responseHeaders, new ChunkStream(context, answer.sseChunks(), gapMs)));
    }
    responseHeaders.add("content-type", "application/json");
    return Future.succeededFuture(new Response(200, responseHeaders,
        new ChunkStream(context, List.of(answer.completion().toBuffer()), 0)));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The URL's path, without query. */
  private static String path(String absoluteUrl) {
    String url = absoluteUrl == null ? "" : absoluteUrl;
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  private UpstreamResponse reply(MockReply reply) {
    return new Response(reply.status(), MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json"),
        new ChunkStream(vertx.getOrCreateContext(), List.of(reply.body().toBuffer()), 0));
  }

  private record Response(int status, MultiMap headers, ChunkStream body) implements UpstreamResponse {
    @Override
    public Future<Buffer> fullBody() {
      Buffer all = Buffer.buffer();
      io.vertx.core.Promise<Buffer> done = io.vertx.core.Promise.promise();
      body.handler(all::appendBuffer).endHandler(v -> done.complete(all));
      body.resume();
      return done.future();
    }

    @Override
    public void cancel() {
      body.cancel();
    }
  }

  /** The deterministic answer to one request, rendered as an OpenAI completion or as its SSE chunks. */
  private record MockAnswer(String id, String model, String text, String toolName, long promptTokens, long completionTokens) {

    static MockAnswer of(JsonObject request) {
      String model = request.getString("model", "mock");
      String lastUser = lastUserText(request.getJsonArray("messages", new JsonArray()));
      String toolName = forcedTool(request);
      String text = toolName != null ? "" : "Hello from Ensemble's mock model '" + model + "'. You said: " + lastUser;
      long prompt = Math.max(1, (request.getJsonArray("messages", new JsonArray()).encode().length() + 3) / 4);
      long completion = Math.max(1, (text.length() + 3) / 4);
      String id = "chatcmpl-mock" + Integer.toHexString(request.encode().hashCode());
      return new MockAnswer(id, model, text, toolName, prompt, completion);
    }

    private static String lastUserText(JsonArray messages) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        Object m = messages.getValue(i);
        if (m instanceof JsonObject msg && "user".equals(msg.getString("role"))) {
          Object content = msg.getValue("content");
          if (content instanceof String s) {
            return s;
          }
          if (content instanceof JsonArray parts) {
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
              if (p instanceof JsonObject part && "text".equals(part.getString("type"))) {
                sb.append(part.getString("text", ""));
              }
            }
            return sb.toString();
          }
        }
      }
      return "";
    }

    private static String forcedTool(JsonObject request) {
      JsonArray tools = request.getJsonArray("tools");
      Object choice = request.getValue("tool_choice");
      if (tools == null || tools.isEmpty() || choice == null) {
        return null;
      }
      if (choice instanceof JsonObject c) {
        return c.getJsonObject("function", new JsonObject()).getString("name");
      }
      if ("required".equals(choice)) {
        return tools.getJsonObject(0).getJsonObject("function", new JsonObject()).getString("name");
      }
      return null;
    }

    JsonObject usage() {
      return new JsonObject().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
          .put("total_tokens", promptTokens + completionTokens)
          .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0));
    }

    String finishReason() {
      return toolName != null ? "tool_calls" : "stop";
    }

    JsonObject completion() {
      JsonObject message = new JsonObject().put("role", "assistant").put("content", toolName != null ? null : text);
      if (toolName != null) {
        message.put("tool_calls", new JsonArray().add(toolCall().put("function",
            new JsonObject().put("name", toolName).put("arguments", "{}"))));
      }
      return new JsonObject().put("id", id).put("object", "chat.completion").put("created", 0).put("model", model)
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
              .put("finish_reason", finishReason())))
          .put("usage", usage());
    }

    List<Buffer> sseChunks() {
      List<Buffer> chunks = new ArrayList<>();
      chunks.add(chunk(new JsonObject().put("role", "assistant").put("content", ""), null));
      if (toolName != null) {
        chunks.add(chunk(new JsonObject().put("tool_calls", new JsonArray().add(toolCall().put("function",
            new JsonObject().put("name", toolName).put("arguments", "")))), null));
        chunks.add(chunk(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
            .put("function", new JsonObject().put("arguments", "{}")))), null));
      } else {
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
          if (i == text.length() || text.charAt(i) == ' ') {
            chunks.add(chunk(new JsonObject().put("content", text.substring(start, i)), null));
            start = i;
          }
        }
      }
      chunks.add(chunk(new JsonObject(), finishReason()));
      chunks.add(sse(new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", 0)
          .put("model", model).put("choices", new JsonArray()).put("usage", usage()).encode()));
      chunks.add(sse("[DONE]"));
      return chunks;
    }

    private JsonObject toolCall() {
      return new JsonObject().put("index", 0).put("id", "call_mock0").put("type", "function");
    }

    private Buffer chunk(JsonObject delta, String finishReason) {
      return sse(new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", 0).put("model", model)
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
              .put("finish_reason", finishReason))).put("usage", null).encode());
    }

    private static Buffer sse(String data) {
      return Buffer.buffer("data: " + data + "\n\n");
    }
  }
}
