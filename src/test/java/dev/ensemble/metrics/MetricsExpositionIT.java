package dev.ensemble.metrics;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} after every kind of traffic — a chat, a stream, a failover, a 429, embeddings, upstream and
 * client errors — is a valid Prometheus exposition: every metric family has {@code # HELP} text and a
 * {@code # TYPE} (checked in Java, always), and {@code promtool check metrics} (Prometheus' own linter, Debian
 * package {@code prometheus}) finds no problem when the binary is on the {@code PATH}.
 */
class MetricsExpositionIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension ant = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(ant, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        ant:
          type: anthropic
          base_url: %s
          keys: [ { name: main, api_key: sk-ant-expo-0001, endpoints: [ { id: ant-1 } ] } ]
        oai:
          type: openai
          base_url: %s
          keys: [ { name: main, api_key: sk-oai-expo-0002, endpoints: [ { id: oai-1 } ] } ]
        lim:
          type: openai
          base_url: %s
          keys: [ { name: main, api_key: sk-oai-expo-0002, endpoints: [ { id: lim-1, rpm_limit: 1 } ] } ]
      models:
        claude-test:
          pricing: { input: 3.00, output: 15.00 }
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        gpt-test:
          pricing: { input: 0.15, output: 0.60 }
          providers: [ { provider: oai, model: gpt-4o-mini } ]
        dual:
          pricing: { input: 1.00, output: 2.00 }
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 }, { provider: oai, model: gpt-4o-mini } ]
        tiny:
          providers: [ { provider: lim, model: gpt-4o-mini } ]
        emb:
          kind: embedding
          pricing: { input: 0.02 }
          providers: [ { provider: oai, model: text-embedding-3-small } ]
      """.formatted(GatewayExtension.scratchDir("responses"), ant.baseUrl(), oai.openAiBaseUrl(), oai.openAiBaseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void everyFamilyHasHelpAndTypeAndPassesPromtoolAfterAllKindsOfTraffic() throws Exception {
    serveEveryKindOfTraffic();
    Scrape scrape = awaitScrape(s -> s.has("ensemble_cost_usd_total", "model", "emb") && s.has("provider_failover_total")
        && s.has("ensemble_ratelimit_rejections_total"));
    assertTrue(scrape.has("ensemble_cost_usd_total", "model", "emb"), scrape.text());
    assertTrue(scrape.has("ensemble_ratelimit_rejections_total", "scope", "request"), scrape.text());
    assertTrue(scrape.has("provider_failover_total"), scrape.text());

    assertEquals(java.util.List.of(), scrape.familiesWithoutHelpOrType(), "every family needs # HELP text and # TYPE");

    Optional<Path> promtool = onPath("promtool");
    if (promtool.isPresent()) {
      Process check = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
      try (OutputStream in = check.getOutputStream()) {
        in.write(scrape.text().getBytes(StandardCharsets.UTF_8));
      }
      String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(check.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
      assertEquals(0, check.exitValue(), "promtool check metrics:\n" + report);
    }
  }

  private void serveEveryKindOfTraffic() throws Exception {
    oai.enqueue(Reply.text("hi").usage(100, 5, 0, 0));
    assertEquals(200, chat("/v1/chat/completions", "gpt-test", false).statusCode());
    ant.enqueue(Reply.text("hello").usage(30, 2, 10, 5));
    HttpResponse<String> streamed = chat("/v1/messages", "claude-test", true);
    assertTrue(streamed.body().contains("message_stop"), streamed.body());
    ant.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));
    oai.enqueue(Reply.text("ok").usage(10, 1, 0, 0));
    assertEquals(200, chat("/v1/chat/completions", "dual", false).statusCode());
    assertEquals(200, chat("/v1/chat/completions", "tiny", false).statusCode());
    assertEquals(429, chat("/v1/chat/completions", "tiny", false).statusCode());
    HttpResponse<String> embeddings = post("/v1/embeddings", new JsonObject().put("model", "emb").put("input", "hello world").encode());
    assertEquals(200, embeddings.statusCode(), embeddings.body());
    oai.enqueue(Reply.error(500, "server_error", "The server had an error"));
    assertTrue(chat("/v1/chat/completions", "gpt-test", false).statusCode() >= 500);
    assertEquals(400, post("/v1/chat/completions", "{not json").statusCode());
    assertEquals(404, chat("/v1/chat/completions", "no-such-model", false).statusCode());
  }

  /** Scrapes until {@code ready} holds: the metrics verticle counts usage reports just after the client got its answer. */
  private Scrape awaitScrape(Predicate<Scrape> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      Scrape scrape = new Scrape(response.body());
      if (ready.test(scrape) || System.nanoTime() > deadline) {
        return scrape;
      }
    }
  }

  private static Optional<Path> onPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, binary);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private HttpResponse<String> chat(String path, String model, boolean stream) throws Exception {
    return post(path, new JsonObject().put("model", model).put("stream", stream).put("max_tokens", 64)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
