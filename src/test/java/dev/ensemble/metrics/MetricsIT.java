package dev.ensemble.metrics;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.gateway.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node against two fake upstreams — {@code ant} (Anthropic format) and {@code oai} (OpenAI format) —
 * serves requests in both client formats, one of them failing over; {@code /metrics} then shows exactly what
 * was scripted. Only {@link #countsTokensCostFailoversAndRoutingOfServedRequests} sends chat requests, so
 * the node-lifetime values (cache hit ratio) are this test's alone.
 */
class MetricsIT {

  private static final String METRICS_KEY = "metrics-key-0123456789";
  private static final String ANT_KEY = "sk-ant-key-0001";
  private static final String OAI_KEY = "sk-oai-key-0002";

  @RegisterExtension @Order(1) static FakeUpstreamExtension ant = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(ant, f -> """
      server: { host: 127.0.0.1, port: 0, metrics_key: %s }
      responses: { local_dir: %s }
      providers:
        ant:
          type: anthropic
          base_url: %s
          keys: [ { name: main, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
        oai:
          type: openai
          base_url: %s
          keys: [ { name: main, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
        lim:
          type: openai
          base_url: %s
          keys: [ { name: main, api_key: %s, endpoints: [ { id: lim-1, rpm_limit: 1 } ] } ]
      models:
        claude-test:
          pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        gpt-test:
          pricing: { input: 0.15, output: 0.60, cache_read: 0.075 }
          providers: [ { provider: oai, model: gpt-4o-mini } ]
        dual:
          pricing: { input: 1.00, output: 2.00 }
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 }, { provider: oai, model: gpt-4o-mini } ]
        tiny:
          providers: [ { provider: lim, model: gpt-4o-mini } ]
      """.formatted(METRICS_KEY, GatewayExtension.scratchDir("responses"), ant.baseUrl(), ANT_KEY, oai.openAiBaseUrl(), OAI_KEY,
      oai.openAiBaseUrl(), OAI_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void countsTokensCostFailoversAndRoutingOfServedRequests() throws Exception {
    oai.enqueue(Reply.text("hi").usage(1_000, 50, 200, 0));
    assertEquals(200, openAi("gpt-test", false).statusCode());
    ant.enqueue(Reply.text("hello").usage(300, 20, 1_000, 500));
    HttpResponse<String> streamed = anthropic("claude-test");
    assertEquals(200, streamed.statusCode());
    assertTrue(streamed.body().contains("message_stop"), streamed.body());
    ant.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));
    oai.enqueue(Reply.text("ok").usage(100, 10, 0, 0));
    HttpResponse<String> failedOver = openAi("dual", false);
    assertEquals(200, failedOver.statusCode(), failedOver.body());
    assertEquals("oai", failedOver.headers().firstValue("x-ensemble-provider").orElseThrow());
    oai.enqueue(Reply.text("small").usage(10, 1, 0, 0));
    assertEquals(200, openAi("tiny", false).statusCode());
    assertEquals(429, openAi("tiny", false).statusCode(), "rpm_limit 1: the router refuses the second request");

    Scrape m = awaitScrape(s -> s.sum("ensemble_tokens_total", "provider", "lim") == 11);

    assertEquals(1_000, m.value("ensemble_tokens_total", "provider", "oai", "model", "gpt-test", "kind", "input"));
    assertEquals(50, m.value("ensemble_tokens_total", "provider", "oai", "model", "gpt-test", "kind", "output"));
    assertEquals(200, m.value("ensemble_tokens_total", "provider", "oai", "model", "gpt-test", "kind", "cache_read"));
    assertEquals(0, m.value("ensemble_tokens_total", "provider", "oai", "model", "gpt-test", "kind", "cache_write"));
    assertEquals(300, m.value("ensemble_tokens_total", "provider", "ant", "model", "claude-test", "kind", "input"));
    assertEquals(20, m.value("ensemble_tokens_total", "provider", "ant", "model", "claude-test", "kind", "output"));
    assertEquals(1_000, m.value("ensemble_tokens_total", "provider", "ant", "model", "claude-test", "kind", "cache_read"));
    assertEquals(500, m.value("ensemble_tokens_total", "provider", "ant", "model", "claude-test", "kind", "cache_write"));
    assertEquals(100, m.value("ensemble_tokens_total", "provider", "oai", "model", "dual", "kind", "input"));
    assertEquals(10, m.value("ensemble_tokens_total", "provider", "oai", "model", "dual", "kind", "output"));
    assertEquals(0, m.sum("ensemble_tokens_total", "provider", "ant", "model", "dual"), "the overloaded attempt produced no tokens");

    // USD per 1M tokens: 1000 x 0.15 + 50 x 0.60 + 200 x 0.075; 300 x 3 + 20 x 15 + 1000 x 0.30 + 500 x 3.75; 100 x 1 + 10 x 2
    assertEquals(195e-6, m.value("ensemble_cost_usd_total", "provider", "oai", "model", "gpt-test"), 1e-12);
    assertEquals(3_375e-6, m.value("ensemble_cost_usd_total", "provider", "ant", "model", "claude-test"), 1e-12);
    assertEquals(120e-6, m.value("ensemble_cost_usd_total", "provider", "oai", "model", "dual"), 1e-12);
    assertEquals(0, m.value("ensemble_cost_usd_total", "provider", "lim", "model", "tiny"));

    assertEquals(1, m.sum("provider_failover_total"), m.text());
    assertEquals(1, m.value("provider_failover_total", "provider", "ant", "cause", "503"));
    assertEquals(1, m.value("ensemble_routing_decisions_total", "reason", "failover:529"));

    assertEquals(5, m.value("router_request_duration_seconds_count"), "every client request was routed once");
    assertEquals(5, m.value("router_request_duration_seconds_bucket", "le", "+Inf"));
    assertEquals(1, m.value("ensemble_ratelimit_rejections_total", "scope", "request", "provider", "none"));

    assertEquals(1, m.value("ensemble_upstream_duration_seconds_count", "provider", "ant", "status", "529", "outcome", "retryable"));
    assertEquals(1, m.value("ensemble_upstream_duration_seconds_count", "provider", "ant", "status", "200", "outcome", "ok"));
    assertEquals(2, m.value("ensemble_upstream_duration_seconds_count", "provider", "oai", "status", "200", "outcome", "ok"));
    assertEquals(1, m.value("ensemble_time_to_first_byte_seconds_count", "provider", "ant", "endpoint", "ant-1", "status", "200"));
    assertEquals(2, m.value("ensemble_time_to_first_byte_seconds_count", "provider", "oai", "endpoint", "oai-1", "status", "200"));

    // prompt tokens: oai 1200 + 100, ant 1800, lim 10; cache reads: oai 200, ant 1000
    assertEquals(1_200.0 / 3_110, m.value("cache_hit_ratio", "provider", "all"), 1e-9);
    assertEquals(200.0 / 1_300, m.value("cache_hit_ratio", "provider", "oai"), 1e-9);
    assertEquals(1_000.0 / 1_800, m.value("cache_hit_ratio", "provider", "ant"), 1e-9);

    assertEquals(0, m.value("ensemble_circuit_state", "provider", "oai", "endpoint", "oai-1"));
    assertEquals(0, m.value("ensemble_ratelimit_mode"));
    assertEquals(0, m.value("ensemble_ratelimit_fallbacks_total"));
    assertTrue(m.has("ensemble_cache_predictions_total", "outcome", "confirmed"));

    assertTrue(m.has("jvm_memory_used_bytes"), "JVM memory");
    assertTrue(m.hasPrefix("jvm_gc_"), "JVM GC");
    assertTrue(m.has("jvm_threads_live_threads"), "JVM threads");
    assertTrue(m.has("jvm_classes_loaded_classes"), "class loader");
    assertTrue(m.has("system_cpu_processors"), "processor");
    assertTrue(m.has("process_cpu_seconds_total"), "process CPU time");
    assertTrue(m.has("process_uptime_seconds"), "uptime");
    assertTrue(m.sum("vertx_eventbus_published_total", "address", "ensemble.routing.usage") >= 5, m.text());
    // the router takes its reports from its inbox and publishes each once learnt; the metrics verticle taps them at the
    // sender: on a single node no handler consumes the address, and no report is delivered to one
    assertEquals(0, m.value("vertx_eventbus_handlers", "address", "ensemble.routing.usage"), m.text());
    assertEquals(0, m.sum("vertx_eventbus_delivered_total", "address", "ensemble.routing.usage"), m.text());
    assertTrue(m.sum("vertx_http_server_requests_total", "method", "POST") >= 5, "Vert.x HTTP server");
    assertTrue(m.sum("vertx_http_client_requests_total") >= 5, "Vert.x HTTP client");
  }

  /**
   * The {@code route} tag of {@code vertx_http_server_*} names every route a request passed through, joined by {@code >}
   * as vertx-micrometer joins them: a chat request passes {@code /v1/*} twice (the node's lifecycle, the client key)
   * before its own route, also when it is refused there (its body) or answered by the failure handler; a query string
   * that does not decode is refused before any named route.
   */
  @Test
  void serverRequestsAreTaggedWithTheRoutesTheyPassed() throws Exception {
    oai.enqueue(Reply.text("hi").usage(3, 1, 0, 0));
    assertEquals(200, openAi("gpt-test", false).statusCode());
    HttpResponse<String> compressed = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("content-encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(415, compressed.statusCode(), compressed.body());
    RawHttp.Response badQuery = RawHttp.exchange(gateway.port(), "POST /v1/responses?x=%zz HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(400, badQuery.status(), badQuery.body());
    HttpResponse<String> badBody = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions/"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, badBody.statusCode(), badBody.body());

    Scrape m = awaitScrape(s -> s.has("vertx_http_server_requests_total", "route", "", "code", "400"));

    String requests = "vertx_http_server_requests_total";
    assertTrue(m.has(requests, "method", "POST", "route", "/v1/>/v1/>/v1/chat/completions", "code", "200"), m.text());
    assertTrue(m.has(requests, "method", "POST", "route", "/v1/>/v1/>/v1/messages", "code", "415"), m.text());
    assertTrue(m.has(requests, "method", "POST", "route", "/v1/>/v1/>/v1/chat/completions", "code", "400"),
        "a final slash is the same route: " + m.text());
    assertTrue(m.has(requests, "method", "POST", "route", "", "code", "400"), m.text());
    assertTrue(m.has("vertx_http_server_response_time_seconds_count", "route", "/v1/>/v1/>/v1/chat/completions", "code", "200"), m.text());
  }

  @Test
  void modelNamesClientsInventAddNoSeries() throws Exception {
    String invented = "invented-" + "x".repeat(200);
    for (int i = 0; i < 20; i++) {
      oai.enqueue(Reply.text("hi").usage(7, 1, 0, 0));
      assertEquals(200, openAi("oai/" + invented + i, false).statusCode());
    }
    oai.enqueue(Reply.text("hi").usage(5, 1, 0, 0));
    assertEquals(200, openAi("oai/gpt-4o-mini", false).statusCode());

    Scrape m = awaitScrape(s -> s.sum("ensemble_tokens_total", "provider", "oai", "model", "other", "kind", "input") >= 140
        && s.has("ensemble_tokens_total", "provider", "oai", "model", "oai/gpt-4o-mini", "kind", "input"));

    assertEquals(140, m.value("ensemble_tokens_total", "provider", "oai", "model", "other", "kind", "input"),
        "every made-up name counts under model=\"other\"");
    assertEquals(5, m.value("ensemble_tokens_total", "provider", "oai", "model", "oai/gpt-4o-mini", "kind", "input"),
        "provider/model for an upstream id the catalog lists keeps its name");
    assertFalse(m.text().contains("invented-"), "no invented name reaches /metrics");
  }

  @Test
  void metricsNeedTheMetricsKeyWhenOneIsConfigured() throws Exception {
    assertEquals(401, metrics(null).statusCode());
    assertEquals(401, metrics("Bearer wrong-key").statusCode());
    assertEquals(401, metrics(METRICS_KEY).statusCode(), "the key must come as a bearer token");

    HttpResponse<String> ok = metrics("Bearer " + METRICS_KEY);

    assertEquals(200, ok.statusCode());
    assertTrue(ok.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"), ok.headers().toString());
    assertTrue(new Scrape(ok.body()).has("router_request_duration_seconds_count"));
  }

  /** Scrapes until {@code ready} holds: the metrics verticle counts usage reports just after the client got its answer. */
  private Scrape awaitScrape(Predicate<Scrape> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      HttpResponse<String> response = metrics("Bearer " + METRICS_KEY);
      assertEquals(200, response.statusCode());
      Scrape scrape = new Scrape(response.body());
      if (ready.test(scrape) || System.nanoTime() > deadline) {
        return scrape;
      }
    }
  }

  private HttpResponse<String> metrics(String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/metrics")).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> openAi(String model, boolean stream) throws Exception {
    return post("/v1/chat/completions", new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
  }

  private HttpResponse<String> anthropic(String model) throws Exception {
    return post("/v1/messages", new JsonObject().put("model", model).put("max_tokens", 64).put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
