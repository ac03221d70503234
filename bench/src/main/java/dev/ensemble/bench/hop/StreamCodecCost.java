package dev.ensemble.bench.hop;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.StreamEncoder;
import dev.ensemble.wire.anthropic.AnthropicStreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicStreamEncoder;
import dev.ensemble.wire.openai.OpenAiErrors;
import dev.ensemble.wire.openai.OpenAiStreamDecoder;
import dev.ensemble.wire.openai.OpenAiStreamEncoder;
import io.vertx.core.buffer.Buffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * CPU time of the stream codecs alone, per stream and per chunk: the stub upstream's 20-chunk streams (OpenAI and
 * Anthropic, as {@link StubUpstream} sends them) decoded into unified events and rendered for a client of the same
 * format, in one thread, measured with the thread's CPU clock (so other load on the machine inflates it far less
 * than wall time). Compiles against any gateway jar: the pass-through case runs only where the encoder has
 * {@code relayFrom} (the Anthropic one passes through where the jar's Anthropic encoder does). Usage: {@code java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.StreamCodecCost [streams] [request id]}.
 */
public final class StreamCodecCost {

  private static volatile long sink;

  private StreamCodecCost() {
  }

  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    // the gateway's request ids are ULIDs (26 characters); the default is the shorter id of the earlier passes' figures
    ResponseContext ctx = new ResponseContext(args.length > 1 ? args[1] : "01jbenchrequest", "bench-gpt", 1_764_930_000L);
    Buffer openAi = Buffer.buffer(StubUpstream.openAiStream().getBytes(StandardCharsets.UTF_8));
    Buffer anthropic = Buffer.buffer(StubUpstream.anthropicStream().getBytes(StandardCharsets.UTF_8));
    Method relayFrom = relayFrom();
    report("OpenAI -> OpenAI, rendered", streams, openAi,
        OpenAiStreamDecoder::new, () -> new OpenAiStreamEncoder(ctx, true, new OpenAiErrors()), null);
    if (relayFrom != null) {
      report("OpenAI -> OpenAI, passed through", streams, openAi,
          OpenAiStreamDecoder::new, () -> new OpenAiStreamEncoder(ctx, true, new OpenAiErrors()), relayFrom);
    }
    report("Anthropic -> Anthropic, rendered", streams, anthropic, AnthropicStreamDecoder::new, () -> new AnthropicStreamEncoder(ctx), null);
    if (relayFrom != null) {
      // what the gateway does when client and upstream speak Anthropic; a jar without the Anthropic pass-through renders
      report("Anthropic -> Anthropic, as served", streams, anthropic,
          AnthropicStreamDecoder::new, () -> new AnthropicStreamEncoder(ctx), relayFrom);
    }
    report("Anthropic -> OpenAI", streams, anthropic,
        AnthropicStreamDecoder::new, () -> new OpenAiStreamEncoder(ctx, true, new OpenAiErrors()), null);
  }

  private static Method relayFrom() {
    try {
      return StreamEncoder.class.getMethod("relayFrom", StreamDecoder.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static void report(String name, int streams, Buffer body, Supplier<StreamDecoder> decoders,
      Supplier<StreamEncoder> encoders, Method relayFrom) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    run(streams / 2, body, decoders, encoders, relayFrom);
    long start = cpu.getCurrentThreadCpuTime();
    long bytes = run(streams, body, decoders, encoders, relayFrom);
    long ns = cpu.getCurrentThreadCpuTime() - start;
    double perStream = (double) ns / streams;
    int frames = body.toString(StandardCharsets.UTF_8).split("\n\n").length;
    System.out.printf("%-34s %8.2f µs/stream  %6.3f µs/upstream event  (%d events, %d streams, %d bytes out each)%n", name,
        perStream / 1000, perStream / 1000 / frames, frames, streams, bytes / streams);
  }

  private static long run(int streams, Buffer body, Supplier<StreamDecoder> decoders, Supplier<StreamEncoder> encoders,
      Method relayFrom) throws Exception {
    long bytes = 0;
    for (int i = 0; i < streams; i++) {
      StreamDecoder decoder = decoders.get();
      StreamEncoder encoder = encoders.get();
      if (relayFrom != null) {
        relayFrom.invoke(encoder, decoder);
      }
      bytes += render(decoder.feed(body.copy()), encoder);
      bytes += render(decoder.finish(), encoder);
    }
    sink += bytes;
    return bytes;
  }

  private static long render(List<StreamEvent> events, StreamEncoder encoder) throws Exception {
    long bytes = 0;
    for (StreamEvent event : events) {
      bytes += encoder.encode(event).length();
    }
    Method pending = pendingMethod(encoder);
    if (pending != null) {
      bytes += ((Buffer) pending.invoke(encoder)).length();
    }
    return bytes;
  }

  private static Method pendingCache;
  private static boolean pendingLooked;

  private static Method pendingMethod(StreamEncoder encoder) {
    if (!pendingLooked) {
      pendingLooked = true;
      try {
        pendingCache = StreamEncoder.class.getMethod("pending");
      } catch (NoSuchMethodException e) {
        pendingCache = null;
      }
    }
    return pendingCache;
  }
}
