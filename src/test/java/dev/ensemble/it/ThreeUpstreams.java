package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import java.util.List;

/**
 * One model per upstream format for the client-format tests: {@code gpt-test} (OpenAI format, the fake upstream),
 * {@code claude-test} (Anthropic format, the fake upstream) and {@code gemini-test} (Gemini format, the fake Gemini),
 * on a node with an admin key.
 */
final class ThreeUpstreams {

  static final List<String> MODELS = List.of("gpt-test", "claude-test", "gemini-test");
  static final String GEMINI_KEY = "AIza-test-dialects-0003";

  private ThreeUpstreams() {
  }

  static String config(FakeUpstreamExtension fake, FakeGeminiExtension gemini) {
    return """
        server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, admin_key: %s }
        responses: { store: local, local_dir: %s }
        providers:
          oai:
            type: openai
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
          ant:
            type: anthropic
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
          gem:
            type: gemini
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: gem-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60, cache_read: 0.075 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
          claude-test:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
          gemini-test:
            pricing: { input: 0.30, output: 2.50, cache_read: 0.075 }
            providers: [ { provider: gem, model: gemini-2.5-flash } ]
        """.formatted(UpstreamChecks.ADMIN_KEY, GatewayExtension.scratchDir("responses"), fake.openAiBaseUrl(), GatewayExtension.OPENAI_KEY,
        fake.baseUrl(), GatewayExtension.ANTHROPIC_KEY, gemini.baseUrl(), GEMINI_KEY);
  }

  /** Scripts the upstream that serves {@code model}. */
  static void enqueue(FakeUpstreamExtension fake, FakeGeminiExtension gemini, String model, Reply... replies) {
    if (model.startsWith("gemini")) {
      gemini.enqueue(replies);
    } else {
      fake.enqueue(replies);
    }
  }

  /** The last request the upstream of {@code model} received, checked to be that upstream's call with its key. */
  static RecordedRequest lastUpstreamRequest(FakeUpstreamExtension fake, FakeGeminiExtension gemini, String model) {
    if (model.startsWith("gemini")) {
      RecordedRequest request = gemini.lastRequest();
      assertTrue(request.path().startsWith("/v1beta/models/gemini-2.5-flash:"), request.path());
      assertEquals(GEMINI_KEY, request.header("x-goog-api-key"));
      UpstreamChecks.assertClientKeyNotForwarded(request);
      return request;
    }
    RecordedRequest request = fake.lastRequest();
    UpstreamChecks.assertReachedUpstreamOf(model, request);
    return request;
  }

  static int upstreamRequests(FakeUpstreamExtension fake, FakeGeminiExtension gemini, String model) {
    return model.startsWith("gemini") ? gemini.requestCount() : fake.requestCount();
  }

  /** The text of the last user turn the upstream of {@code model} received. */
  static String lastUserText(RecordedRequest request, String model) {
    if (model.startsWith("gemini")) {
      var contents = request.json().getJsonArray("contents");
      var parts = contents.getJsonObject(contents.size() - 1).getJsonArray("parts");
      StringBuilder text = new StringBuilder();
      parts.forEach(p -> text.append(((io.vertx.core.json.JsonObject) p).getString("text", "")));
      return text.toString();
    }
    var messages = request.json().getJsonArray("messages");
    return UpstreamChecks.textOf(messages.getJsonObject(messages.size() - 1).getValue("content"));
  }
}
