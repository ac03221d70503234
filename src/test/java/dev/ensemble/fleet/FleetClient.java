package dev.ensemble.fleet;

import dev.ensemble.testing.OnLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the fleet tests' clients do: streamed OpenAI chat (with {@code include_usage}) or Responses API requests read
 * to their end, and admin reads. Every answer is returned whole with its status and request id, whatever happened.
 */
final class FleetClient {

  static final String ADMIN_KEY = "admin-fleet-0123456789";

  /** One streamed answer as the client got it. */
  record Streamed(int status, String requestId, String body, Throwable failure) {
    boolean completeWithoutError() {
      return failure == null && status == 200 && body.trim().endsWith("data: [DONE]") && !body.contains("\"error\"");
    }

    /** {@code completion_tokens} of the final usage chunk, or -1. */
    long completionTokens() {
      long tokens = -1;
      for (String line : body.split("\n")) {
        if (line.startsWith("data: {") && line.contains("\"usage\"")) {
          JsonObject usage = new JsonObject(line.substring(6)).getJsonObject("usage");
          if (usage != null && usage.getLong("completion_tokens") != null) {
            tokens = usage.getLong("completion_tokens");
          }
        }
      }
      return tokens;
    }
  }

  private final Vertx vertx;
  private final HttpClient http;

  FleetClient(Vertx vertx) {
    this.vertx = vertx;
    // an idle connection is dropped before the node's 30 s header_read_timeout closes it under a request reusing it
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setIdleTimeout(20),
        new PoolOptions().setHttp1MaxSize(32));
  }

  static JsonObject chat(String model, String prompt) {
    return new JsonObject().put("model", model).put("stream", true).put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }

  /** Streams {@code body} from {@code port}; {@code chunks} hears every chunk as it comes (may be null). */
  Future<Streamed> stream(int port, JsonObject body, io.vertx.core.Handler<Buffer> chunks) {
    return stream(port, "/v1/chat/completions", body, chunks);
  }

  /** POSTs {@code body} to {@code path} of {@code port} and reads the answer as it comes ({@code chunks} may be null). */
  Future<Streamed> stream(int port, String path, JsonObject body, io.vertx.core.Handler<Buffer> chunks) {
    Promise<Streamed> done = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setURI(path)
        .putHeader("content-type", "application/json");
    OnLoop.call(vertx, () -> http.request(options).compose(req -> req.send(body.toBuffer())).onComplete(ar -> {
      if (ar.failed()) {
        done.complete(new Streamed(-1, null, "", ar.cause()));
        return;
      }
      var resp = ar.result();
      Buffer received = Buffer.buffer();
      String id = resp.getHeader("X-Ensemble-Request-Id");
      resp.handler(chunk -> {
        received.appendBuffer(chunk);
        if (chunks != null) {
          chunks.handle(chunk);
        }
      });
      resp.exceptionHandler(err -> done.tryComplete(new Streamed(resp.statusCode(), id, received.toString(), err)));
      resp.endHandler(v -> done.tryComplete(new Streamed(resp.statusCode(), id, received.toString(), null)));
    }));
    return done.future();
  }

  /** GET with the admin key: status and JSON body (null when the body is not JSON). */
  Future<JsonObject> getJson(int port, String path) {
    return OnLoop.call(vertx, () -> http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN_KEY).send())
        .compose(resp -> resp.body().map(b -> {
          JsonObject json;
          try {
            json = b.toJsonObject();
          } catch (RuntimeException e) {
            json = new JsonObject().put("raw", b.toString());
          }
          return json.put("_status", resp.statusCode());
        })));
  }

  Future<Void> close() {
    return http.close();
  }
}
