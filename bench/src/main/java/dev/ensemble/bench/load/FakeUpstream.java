package dev.ensemble.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal OpenAI Chat Completions server on loopback: {@code POST /v1/chat/completions} answers after a
 * fixed latency, either one JSON body with usage or (with {@code "stream": true}) SSE chunks, a usage chunk
 * and {@code data: [DONE]}. It listens on several ports so that a gateway configured with one endpoint per
 * port is not capped by its per-host connection pool.
 *
 * <p>The upstream model id picks the behaviour: {@code long} streams one chunk a second for
 * {@code longStreamSeconds} (the concurrent-streams test); anything else answers after {@code latencyMs}
 * (streamed: {@code fastChunks} chunks, {@code chunkGapMs} apart, the first one at {@code latencyMs}).
 */
public final class FakeUpstream {

  /** The upstream model id of the long, slow streams. */
  public static final String LONG_MODEL = "long";

  private final Vertx vertx;
  private final long latencyMs;
  private final int fastChunks;
  private final long chunkGapMs;
  private final int longStreamSeconds;
  private final long longChunkGapMs;
  private final List<HttpServer> servers = new ArrayList<>();
  private final AtomicLong requests = new AtomicLong();

  public FakeUpstream(Vertx vertx, long latencyMs, int fastChunks, long chunkGapMs, int longStreamSeconds) {
    this(vertx, latencyMs, fastChunks, chunkGapMs, longStreamSeconds, 1000);
  }

  /** {@code longChunkGapMs}: the gap between two chunks of a long stream (one a second by default). */
  public FakeUpstream(Vertx vertx, long latencyMs, int fastChunks, long chunkGapMs, int longStreamSeconds, long longChunkGapMs) {
    this.longChunkGapMs = longChunkGapMs;
    this.vertx = vertx;
    this.latencyMs = latencyMs;
    this.fastChunks = fastChunks;
    this.chunkGapMs = chunkGapMs;
    this.longStreamSeconds = longStreamSeconds;
  }

  /** Listens on {@code count} free loopback ports (HTTP/1.1 and h2c); the future holds them, in order. */
  public Future<List<Integer>> listen(int count) {
    List<Future<HttpServer>> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
          .setTcpNoDelay(true).setAcceptBacklog(4096)).requestHandler(this::handle);
      servers.add(server);
      started.add(server.listen());
    }
    return Future.all(started).map(all -> servers.stream().map(HttpServer::actualPort).toList());
  }

  /** Requests answered or being answered since start. */
  public long requests() {
    return requests.get();
  }

  private void handle(HttpServerRequest request) {
    if (!"/v1/chat/completions".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    requests.incrementAndGet();
    request.body().onSuccess(body -> {
      JsonObject json = body.toJsonObject();
      String model = json.getString("model", "fast");
      HttpServerResponse response = request.response();
      if (LONG_MODEL.equals(model)) {
        stream(response, model, (int) Math.max(1, longStreamSeconds * 1000L / longChunkGapMs), longChunkGapMs, 0);
      } else if (json.getBoolean("stream", false)) {
        stream(response, model, fastChunks, chunkGapMs, latencyMs);
      } else {
        vertx.setTimer(latencyMs, t -> response.putHeader("content-type", "application/json").end(completion(model)));
      }
    });
  }

  private void stream(HttpServerResponse response, String model, int chunks, long gapMs, long firstMs) {
    response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    String id = "chatcmpl-fake" + requests.get();
    long created = System.currentTimeMillis() / 1000;
    Runnable first = () -> {
      if (response.closed()) {
        return;
      }
      response.write(sse(chunk(id, created, model, new JsonObject().put("role", "assistant").put("content", "word0 "), null)));
      emit(response, id, created, model, 1, chunks, gapMs);
    };
    if (firstMs > 0) {
      vertx.setTimer(firstMs, t -> first.run());
    } else {
      first.run();
    }
  }

  private void emit(HttpServerResponse response, String id, long created, String model, int sent, int chunks, long gapMs) {
    if (response.closed()) {
      return;
    }
    if (sent >= chunks) {
      Buffer tail = sse(chunk(id, created, model, new JsonObject(), "stop"));
      tail.appendBuffer(sse(new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
          .put("model", model).put("choices", new JsonArray()).put("usage", usage(chunks))));
      tail.appendString("data: [DONE]\n\n");
      response.end(tail);
      return;
    }
    Runnable next = () -> {
      if (!response.closed()) {
        response.write(sse(chunk(id, created, model, new JsonObject().put("content", "word" + sent + " "), null)));
        emit(response, id, created, model, sent + 1, chunks, gapMs);
      }
    };
    if (gapMs > 0) {
      vertx.setTimer(gapMs, t -> next.run());
    } else {
      next.run();
    }
  }

  private static JsonObject chunk(String id, long created, String model, JsonObject delta, String finish) {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finish)));
  }

  private static Buffer sse(JsonObject data) {
    return Buffer.buffer("data: ").appendBuffer(data.toBuffer()).appendString("\n\n");
  }

  private Buffer completion(String model) {
    return new JsonObject().put("id", "chatcmpl-fake" + requests.get()).put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "Hello from the fake upstream: ok."))
            .put("finish_reason", "stop")))
        .put("usage", usage(8)).toBuffer();
  }

  private static JsonObject usage(int completionTokens) {
    return new JsonObject().put("prompt_tokens", 12).put("completion_tokens", completionTokens)
        .put("total_tokens", 12 + completionTokens);
  }

  public Future<Void> close() {
    return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
  }
}
