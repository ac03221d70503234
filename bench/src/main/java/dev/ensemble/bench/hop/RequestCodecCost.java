package dev.ensemble.bench.hop;

import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.openai.OpenAiAdapter;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.RequestJson;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * CPU time of a chat request's JSON alone, per request, OpenAI client to an OpenAI upstream: what {@code ChatHandler}
 * and the attempt do with the body — the bytes taken from the request, read into the unified request (straight from
 * the bytes where the dialect can, {@code decodePlain}; else parsed into a tree by {@code RequestJson} and decoded),
 * then the upstream body made by the adapter ({@code toUpstream}: the client's bytes spliced, or encoded from the
 * request). Two variants alternate round by round in one JVM: {@code tree} (the path of every request before
 * {@code decodePlain}: parse, decode, encode) and {@code served} (what the jar does). On a jar without
 * {@code decodePlain} both are the tree path. Bodies: the side-by-side bench's (a system prompt and one user turn,
 * non-streamed and streamed) and a conversation of a dozen turns (~4 KB). One thread, its CPU clock.
 * Usage: {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.RequestCodecCost [requests] [rounds]}.
 */
public final class RequestCodecCost {

  private static final String PROMPT = "You are a concise assistant. Answer in one short sentence.";
  private static volatile long sink;

  private RequestCodecCost() {
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    ClientDialect dialect = new OpenAiClientDialect();
    Method plain = decodePlain();
    System.out.println(plain == null ? "(no decodePlain in this jar: both variants take the tree path)" : "(decodePlain available)");
    ProviderAdapter adapter = new OpenAiAdapter();
    String[] names = {"bench body", "bench body, streamed", "12-turn conversation"};
    Buffer[] bodies = {
        utf8("{\"model\":\"bench-gpt\",\"messages\":[{\"role\":\"system\",\"content\":\"" + PROMPT
            + "\"},{\"role\":\"user\",\"content\":\"Say ok.\"}]}"),
        utf8("{\"model\":\"bench-gpt\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"" + PROMPT
            + "\"},{\"role\":\"user\",\"content\":\"Say ok.\"}]}"),
        utf8(conversation())};
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int b = 0; b < bodies.length; b++) {
      run(requests / 2, bodies[b], dialect, adapter, null);
      run(requests / 2, bodies[b], dialect, adapter, plain);
    }
    for (int round = 1; round <= rounds; round++) {
      for (int b = 0; b < bodies.length; b++) {
        for (boolean served : new boolean[] {false, true}) {
          long start = cpu.getCurrentThreadCpuTime();
          long bytes = run(requests, bodies[b], dialect, adapter, served ? plain : null);
          double us = (double) (cpu.getCurrentThreadCpuTime() - start) / requests / 1000;
          System.out.printf("round %d  %-22s %-6s %6.3f µs/request  (%d bytes in, %d bytes upstream)%n", round, names[b],
              served ? "served" : "tree", us, bodies[b].length(), bytes / requests);
        }
      }
    }
  }

  private static long run(int requests, Buffer body, ClientDialect dialect, ProviderAdapter adapter, Method plain)
      throws Exception {
    long bytes = 0;
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < requests; i++) {
      ClientCall call = plain == null ? null : (ClientCall) plain.invoke(dialect, (Object) body.getBytes());
      if (call == null) {
        JsonObject tree = RequestJson.object(body, "request body");
        call = dialect.decode(tree, params);
      }
      bytes += adapter.toUpstream(call.request(), "gpt-4o-mini-2024-07-18").body().length();
    }
    sink += bytes;
    return bytes;
  }

  private static Method decodePlain() {
    try {
      return ClientDialect.class.getMethod("decodePlain", byte[].class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static String conversation() {
    StringBuilder out = new StringBuilder("{\"model\":\"bench-gpt\",\"max_tokens\":512,\"temperature\":0.2,\"messages\":[")
        .append("{\"role\":\"system\",\"content\":\"").append(PROMPT).append(" Cite the \\\"source\\\" of every fact.\"}");
    for (int turn = 0; turn < 12; turn++) {
      out.append(",{\"role\":\"").append(turn % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"");
      out.append(("Turn " + turn + ": a paragraph of ordinary text about the weather in Zürich and its lakes, "
          + "with a line break\\nand some more words to make it about as long as a real message is. ").repeat(2));
      out.append("\"}");
    }
    return out.append("]}").toString();
  }

  private static Buffer utf8(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }
}
