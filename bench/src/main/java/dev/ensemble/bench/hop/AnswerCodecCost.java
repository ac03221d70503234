package dev.ensemble.bench.hop;

import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.anthropic.AnthropicAdapter;
import dev.ensemble.providers.openai.OpenAiAdapter;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.anthropic.AnthropicClientDialect;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.vertx.core.buffer.Buffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * CPU time of a non-streamed answer's JSON alone, per answer: the upstream's body decoded by the provider adapter
 * ({@code fromUpstream}) and the client's body made from it, as the bytes written to the client — passed through
 * where the gateway's dialect can ({@code passThrough}, client and upstream in one format), else rendered
 * ({@code encodeResponse(...).toBuffer()}). Bodies: the stub upstream's (short) and a full OpenAI / Anthropic answer as
 * the providers send them (a paragraph of text, every usage detail, the fields the gateway does not read). One
 * thread, measured with its CPU clock. Compiles against any gateway jar: on a jar without {@code passThrough} every
 * case is rendered. Usage: {@code java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.AnswerCodecCost [answers]}.
 */
public final class AnswerCodecCost {

  private static volatile long sink;

  private AnswerCodecCost() {
  }

  public static void main(String[] args) throws Exception {
    int answers = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    ResponseContext ctx = new ResponseContext("01jbenchrequest", "bench-gpt", 1_764_930_000L);
    Method passThrough = passThrough();
    System.out.println(passThrough == null ? "(no passThrough in this jar: every answer rendered)" : "(passThrough available)");
    ProviderAdapter openAi = new OpenAiAdapter();
    ProviderAdapter anthropic = new AnthropicAdapter();
    ClientDialect openAiClient = new OpenAiClientDialect();
    ClientDialect anthropicClient = new AnthropicClientDialect();
    Buffer stubOpenAi = utf8(StubUpstream.openAiCompletion());
    Buffer stubAnthropic = utf8(StubUpstream.anthropicMessage());
    Buffer fullOpenAi = utf8(fullOpenAi());
    Buffer fullAnthropic = utf8(fullAnthropic());
    report("OpenAI -> OpenAI, stub body", answers, stubOpenAi, openAi, openAiClient, ctx, passThrough);
    report("OpenAI -> OpenAI, full body", answers, fullOpenAi, openAi, openAiClient, ctx, passThrough);
    report("Anthropic -> Anthropic, stub body", answers, stubAnthropic, anthropic, anthropicClient, ctx, passThrough);
    report("Anthropic -> Anthropic, full body", answers, fullAnthropic, anthropic, anthropicClient, ctx, passThrough);
    report("OpenAI -> Anthropic, full body", answers, fullOpenAi, openAi, anthropicClient, ctx, passThrough);
    report("Anthropic -> OpenAI, full body", answers, fullAnthropic, anthropic, openAiClient, ctx, passThrough);
  }

  private static Method passThrough() {
    try {
      return ClientDialect.class.getMethod("passThrough", UnifiedResponse.class, ResponseContext.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static void report(String name, int answers, Buffer body, ProviderAdapter adapter, ClientDialect client,
      ResponseContext ctx, Method passThrough) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    run(answers / 2, body, adapter, client, ctx, passThrough);
    long start = cpu.getCurrentThreadCpuTime();
    long bytes = run(answers, body, adapter, client, ctx, passThrough);
    long ns = cpu.getCurrentThreadCpuTime() - start;
    System.out.printf("%-36s %7.2f µs/answer  (%d bytes in, %d bytes out, %d answers)%n", name, (double) ns / answers / 1000,
        body.length(), bytes / answers, answers);
  }

  private static long run(int answers, Buffer body, ProviderAdapter adapter, ClientDialect client, ResponseContext ctx,
      Method passThrough) throws Exception {
    long bytes = 0;
    for (int i = 0; i < answers; i++) {
      UnifiedResponse answer = adapter.fromUpstream(body.copy());
      Buffer out = passThrough == null ? null : (Buffer) passThrough.invoke(client, answer, ctx);
      if (out == null) {
        out = client.encodeResponse(answer, ctx).toBuffer();
      }
      bytes += out.length();
    }
    sink += bytes;
    return bytes;
  }

  private static Buffer utf8(String text) {
    return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A chat completion as OpenAI sends it today: every field, a paragraph of text. */
  static String fullOpenAi() {
    return "{\n  \"id\": \"chatcmpl-CJ4kqFQ2n8bFdM1xyZ7Kk2Yp3QWeR\",\n  \"object\": \"chat.completion\",\n  \"created\": 1764930000,\n"
        + "  \"model\": \"gpt-4o-mini-2024-07-18\",\n  \"choices\": [\n    {\n      \"index\": 0,\n      \"message\": {\n"
        + "        \"role\": \"assistant\",\n        \"content\": \"" + paragraph() + "\",\n        \"refusal\": null,\n"
        + "        \"annotations\": []\n      },\n      \"logprobs\": null,\n      \"finish_reason\": \"stop\"\n    }\n  ],\n"
        + "  \"usage\": {\n    \"prompt_tokens\": 412,\n    \"completion_tokens\": 96,\n    \"total_tokens\": 508,\n"
        + "    \"prompt_tokens_details\": {\n      \"cached_tokens\": 256,\n      \"audio_tokens\": 0\n    },\n"
        + "    \"completion_tokens_details\": {\n      \"reasoning_tokens\": 0,\n      \"audio_tokens\": 0,\n"
        + "      \"accepted_prediction_tokens\": 0,\n      \"rejected_prediction_tokens\": 0\n    }\n  },\n"
        + "  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"fp_560af6e559\"\n}\n";
  }

  /** A message as Anthropic sends it today: a paragraph of text, every usage field. */
  static String fullAnthropic() {
    return "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-20250514\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"" + paragraph() + "\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":256,"
        + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":96,"
        + "\"service_tier\":\"standard\"}}";
  }

  private static String paragraph() {
    return "The gateway routes each request to the endpoint that can answer it soonest and cheapest, keeps a ledger of "
        + "what every answer cost, and stores the answer so that a client can read it again later. When an upstream fails "
        + "before the first byte, the request goes elsewhere; after it, the stream ends with an error in the client's own "
        + "format.\\n\\nIn short: \\\"one hop\\\", whatever the provider.";
  }
}
