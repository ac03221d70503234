package dev.ensemble.bench.hop;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fastest honest upstream for the side-by-side benchmark ({@code bench/side-by-side.sh}): fixed OpenAI Chat
 * Completions and Anthropic Messages answers, no think time. Every body is built once at start; a request costs
 * reading its body and writing one prepared buffer.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a {@code chat.completion} with usage, or with {@code "stream": true} an SSE
 *       stream of {@value #CHUNKS} content chunks, a finish chunk, a usage chunk and {@code data: [DONE]};</li>
 *   <li>{@code POST /v1/messages}: an Anthropic message with usage, or with {@code "stream": true} the Messages event
 *       stream ({@code message_start} .. {@value #CHUNKS} {@code content_block_delta}s .. {@code message_stop}).</li>
 * </ul>
 *
 * <p>It listens on 127.0.0.1 on the given ports (HTTP/1.1 and h2c with prior knowledge on each) with one event loop,
 * so that pinned to one core ({@code taskset}) it shares that core with the server under test as a real upstream
 * would not: the script subtracts the direct-to-stub cost to get each target's own.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.hop.StubUpstream <port> [<port> ...]};
 * it runs until killed. State: none mutable beyond Vert.x's own (one event loop owns every connection).
 */
public final class StubUpstream {

  /** Content chunks per stream (each one word), before the finish and usage events. */
  public static final int CHUNKS = 20;

  private static final byte[] STREAM_KEY = "\"stream\"".getBytes(StandardCharsets.US_ASCII);

  private final Buffer openAiBody = Buffer.buffer(openAiCompletion());
  private final Buffer openAiStream = Buffer.buffer(openAiStream());
  private final Buffer anthropicBody = Buffer.buffer(anthropicMessage());
  private final Buffer anthropicStream = Buffer.buffer(anthropicStream());

  public static void main(String[] args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: StubUpstream <port> [<port> ...]");
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    StubUpstream stub = new StubUpstream();
    List<Future<HttpServer>> started = new ArrayList<>();
    for (String port : args) {
      started.add(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Integer.parseInt(port))
          .setTcpNoDelay(true).setAcceptBacklog(8192)).requestHandler(stub::handle).listen());
    }
    Future.all(started).onComplete(done -> {
      if (done.failed()) {
        System.err.println("stub upstream failed to listen: " + done.cause());
        System.exit(1);
      }
      System.out.println("stub upstream listening on 127.0.0.1 ports " + String.join(",", args));
    });
  }

  void handle(HttpServerRequest request) {
    String path = request.path();
    boolean openAi = path.endsWith("/chat/completions");
    if (!openAi && !path.endsWith("/messages")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      boolean stream = streamRequested(body);
      var response = request.response();
      if (stream) {
        response.putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache")
            .end(openAi ? openAiStream : anthropicStream);
      } else {
        response.putHeader("content-type", "application/json").end(openAi ? openAiBody : anthropicBody);
      }
    });
  }

  /** Whether the JSON body says {@code "stream": true} (a byte scan: the stub must not cost what it measures). */
  static boolean streamRequested(Buffer body) {
    byte[] bytes = body.getBytes();
    outer:
    for (int i = 0; i + STREAM_KEY.length < bytes.length; i++) {
      for (int j = 0; j < STREAM_KEY.length; j++) {
        if (bytes[i + j] != STREAM_KEY[j]) {
          continue outer;
        }
      }
      int k = i + STREAM_KEY.length;
      while (k < bytes.length && (bytes[k] == ' ' || bytes[k] == ':' || bytes[k] == '\n' || bytes[k] == '\t' || bytes[k] == '\r')) {
        k++;
      }
      return k < bytes.length && bytes[k] == 't';
    }
    return false;
  }

  static String openAiCompletion() {
    return "{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion\",\"created\":1764930000,\"model\":\"stub-fast\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello from the stub upstream: ok.\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":8,\"total_tokens\":20}}";
  }

  static String openAiStream() {
    StringBuilder s = new StringBuilder();
    String head = "data: {\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1764930000,\"model\":\"stub-fast\",";
    for (int i = 0; i < CHUNKS; i++) {
      String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"word0 \"}" : "{\"content\":\"word" + i + " \"}";
      s.append(head).append("\"choices\":[{\"index\":0,\"delta\":").append(delta).append(",\"finish_reason\":null}]}\n\n");
    }
    s.append(head).append("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    s.append(head).append("\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":").append(CHUNKS)
        .append(",\"total_tokens\":").append(12 + CHUNKS).append("}}\n\n");
    s.append("data: [DONE]\n\n");
    return s.toString();
  }

  static String anthropicMessage() {
    return "{\"id\":\"msg_stub\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"stub-fast\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"Hello from the stub upstream: ok.\"}],\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":8}}";
  }

  /** As the Messages API streams it: message_start with its full usage, a ping after the first block's start. */
  static String anthropicStream() {
    StringBuilder s = new StringBuilder();
    s.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_stub\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"stub-fast\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
        + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1,"
        + "\"service_tier\":\"standard\"}}}\n\n");
    s.append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    s.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    for (int i = 0; i < CHUNKS; i++) {
      s.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word")
          .append(i).append(" \"}}\n\n");
    }
    s.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
    s.append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
        + "\"usage\":{\"output_tokens\":").append(CHUNKS).append("}}\n\n");
    s.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    return s.toString();
  }
}
