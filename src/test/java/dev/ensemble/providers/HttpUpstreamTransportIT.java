package dev.ensemble.providers;

import dev.ensemble.config.UpstreamHttp;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream HTTP client speaks HTTP/2 to providers that take it and keeps several connections per host: against
 * a local TLS upstream (self-signed certificate, ALPN) that allows 4 streams per connection, 20 calls in flight at
 * once arrive over HTTP/2 on 5 to {@code http2_connections_per_host} connections; a host that offers only HTTP/1.1
 * by ALPN gets HTTP/1.1; {@code version: http1} keeps HTTP/1.1; {@code h2c} speaks HTTP/2 with prior knowledge on
 * cleartext, while the default speaks HTTP/1.1 there.
 */
@ExtendWith(VertxExtension.class)
class HttpUpstreamTransportIT {

  private static final int STREAMS_PER_CONNECTION = 4;
  private static final int CALLS = 20;

  private final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
  private final List<Arrival> arrivals = new ArrayList<>();
  private final List<HttpServerRequest> held = new ArrayList<>();
  private HttpServer upstream;
  private HttpUpstreamTransport transport;

  /** One call as the upstream saw it: its HTTP version and the connection it came on. */
  private record Arrival(HttpVersion version, Object connection) {}

  @AfterEach
  void close(Vertx vertx) {
    if (transport != null) {
      transport.close().await();
    }
    if (upstream != null) {
      upstream.close().await();
    }
    certificate.delete();
  }

  @Test
  void concurrentCallsToOneHostGoOverHttp2OnSeveralConnections(Vertx vertx, VertxTestContext test) {
    int maxConnections = 8;
    upstream = start(vertx, tls().setInitialSettings(new Http2Settings().setMaxConcurrentStreams(STREAMS_PER_CONNECTION)), CALLS);
    transport = new HttpUpstreamTransport(vertx, new UpstreamHttp(UpstreamHttp.Version.AUTO, 256, maxConnections), certificate.trustOptions());

    callAll(CALLS, "https://localhost:" + upstream.actualPort()).onComplete(test.succeeding(bodies -> test.verify(() -> {
      assertEquals(CALLS, bodies.size());
      bodies.forEach(body -> assertEquals("chat.completion", body.getString("object")));
      assertEquals(Set.of(HttpVersion.HTTP_2), versions());
      int connections = connections();
      assertTrue(connections >= CALLS / STREAMS_PER_CONNECTION && connections <= maxConnections,
          "all " + CALLS + " calls were in flight at once on " + connections + " connections");
      test.completeNow();
    })));
  }

  @Test
  void aHostThatOffersOnlyHttp11ByAlpnIsCalledOverHttp11(Vertx vertx, VertxTestContext test) {
    upstream = start(vertx, tls().setAlpnVersions(List.of(HttpVersion.HTTP_1_1)), 3);
    transport = new HttpUpstreamTransport(vertx, UpstreamHttp.DEFAULTS, certificate.trustOptions());

    callAll(3, "https://localhost:" + upstream.actualPort()).onComplete(test.succeeding(bodies -> test.verify(() -> {
      assertEquals(3, bodies.size());
      assertEquals(Set.of(HttpVersion.HTTP_1_1), versions());
      test.completeNow();
    })));
  }

  @Test
  void versionHttp1KeepsHttp11WithAHostThatSpeaksHttp2(Vertx vertx, VertxTestContext test) {
    upstream = start(vertx, tls(), 1);
    transport = new HttpUpstreamTransport(vertx, new UpstreamHttp(UpstreamHttp.Version.HTTP1, 256, 128), certificate.trustOptions());

    callAll(1, "https://localhost:" + upstream.actualPort()).onComplete(test.succeeding(bodies -> test.verify(() -> {
      assertEquals(Set.of(HttpVersion.HTTP_1_1), versions());
      test.completeNow();
    })));
  }

  @Test
  void versionH2cSpeaksHttp2WithPriorKnowledgeOnCleartext(Vertx vertx, VertxTestContext test) {
    upstream = start(vertx, cleartext(), 2);
    transport = new HttpUpstreamTransport(vertx, new UpstreamHttp(UpstreamHttp.Version.H2C, 256, 128));

    callAll(2, "http://127.0.0.1:" + upstream.actualPort()).onComplete(test.succeeding(bodies -> test.verify(() -> {
      assertEquals(Set.of(HttpVersion.HTTP_2), versions());
      test.completeNow();
    })));
  }

  @Test
  void theDefaultSpeaksHttp11OnCleartext(Vertx vertx, VertxTestContext test) {
    upstream = start(vertx, cleartext(), 1);
    transport = new HttpUpstreamTransport(vertx, UpstreamHttp.DEFAULTS);

    callAll(1, "http://127.0.0.1:" + upstream.actualPort()).onComplete(test.succeeding(bodies -> test.verify(() -> {
      assertEquals(Set.of(HttpVersion.HTTP_1_1), versions());
      test.completeNow();
    })));
  }

  private HttpServerOptions tls() {
    return cleartext().setSsl(true).setUseAlpn(true).setKeyCertOptions(certificate.keyCertOptions());
  }

  private static HttpServerOptions cleartext() {
    return new HttpServerOptions().setHost("127.0.0.1").setPort(0);
  }

  /**
   * An upstream answering OpenAI chat completions; it holds every call until {@code together} have arrived, so those
   * are all in flight at once.
   */
  private HttpServer start(Vertx vertx, HttpServerOptions options, int together) {
    return vertx.createHttpServer(options).requestHandler(request -> request.body().onSuccess(body -> {
      synchronized (arrivals) {
        arrivals.add(new Arrival(request.version(), request.connection()));
        held.add(request);
        if (held.size() == together) {
          held.forEach(HttpUpstreamTransportIT::answer);
          held.clear();
        }
      }
    })).listen().await();
  }

  private static void answer(HttpServerRequest request) {
    request.response().putHeader("content-type", "application/json").end(new JsonObject()
        .put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1).put("model", "gpt-4o-mini")
        .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "stop")
            .put("message", new JsonObject().put("role", "assistant").put("content", "hi"))))
        .put("usage", new JsonObject().put("prompt_tokens", 1).put("completion_tokens", 1).put("total_tokens", 2)).encode());
  }

  private Future<List<JsonObject>> callAll(int count, String baseUrl) {
    List<Future<JsonObject>> calls = new ArrayList<>();
    Buffer body = new JsonObject().put("model", "gpt-4o-mini")
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).toBuffer();
    for (int i = 0; i < count; i++) {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json").add("Authorization", "Bearer sk-test");
      calls.add(transport.send(HttpMethod.POST, baseUrl + "/v1/chat/completions", headers, body, 20_000)
          .compose(UpstreamResponse::fullBody).map(Buffer::toJsonObject));
    }
    return Future.all(calls).map(all -> all.<JsonObject>list());
  }

  private Set<HttpVersion> versions() {
    synchronized (arrivals) {
      Set<HttpVersion> versions = new HashSet<>();
      arrivals.forEach(a -> versions.add(a.version()));
      return versions;
    }
  }

  private int connections() {
    synchronized (arrivals) {
      Set<Object> connections = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      arrivals.forEach(a -> connections.add(a.connection()));
      return connections.size();
    }
  }
}
