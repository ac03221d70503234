package dev.ensemble.bench;

import dev.ensemble.cache.CacheShelf;
import dev.ensemble.cache.CachedAnswer;
import dev.ensemble.cache.Embedder;
import dev.ensemble.cache.LocalEmbedder;
import dev.ensemble.cache.RequestFingerprint;
import dev.ensemble.cache.SemanticIndex;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The response cache at scale, as a plain program (not JMH: building a 100,000-entry HNSW graph dominates a run):
 * fills a {@link CacheShelf} with N entries (384-dimension unit vectors, 60-character prompts, 400-character answers, as
 * a semantic policy stores them), then measures heap and index bytes per entry, the exact lookup (fingerprint of a
 * request + map read) and the semantic lookup (filtered HNSW k=4 query) with their percentiles, and the built-in
 * embedder's time per short sentence. Random vectors are a hard case for HNSW (no clusters). Run:
 * {@code java -Xmx2g -cp target/ensemble.jar:bench/target/classes dev.ensemble.bench.ResponseCacheBench 100000}.
 */
public final class ResponseCacheBench {

  private static final int DIM = 384;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Random random = new Random(42);
    String answerText = "x".repeat(400);
    long heapBefore = usedHeap();
    CacheShelf shelf = new CacheShelf(policy -> Integer.MAX_VALUE);
    String[] keys = new String[n];
    String context = "ctx";
    long fillStart = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String prompt = "Question number " + i + " about topic " + random.nextInt(1000) + " please answer it";
      RequestFingerprint f = RequestFingerprint.of("model:m|*", request(prompt));
      keys[i] = f.exactKey();
      UnifiedResponse answer = new UnifiedResponse("id" + i, "m", List.of(ContentBlock.Text.of(answerText)), StopReason.END_TURN, null,
          new Usage(20L, 100L, 0L, 0L));
      shelf.put(new CachedAnswer(f.exactKey(), "model:m", i % 10 == 0 ? context : f.contextKey(), prompt, vector(random), answer,
          new BigDecimal("0.0001"), 0, Long.MAX_VALUE));
    }
    long indexBytes = shelf.indexBytes().get();
    long fillMs = (System.nanoTime() - fillStart) / 1_000_000;
    long heapAfter = usedHeap();
    System.out.printf("entries %d, filled and indexed in %d ms%n", n, fillMs);
    System.out.printf("heap %.1f MiB -> %.1f MiB: %.0f bytes per entry (entry + map + index)%n", heapBefore / 1048576.0,
        heapAfter / 1048576.0, (heapAfter - heapBefore) / (double) n);
    System.out.printf("vector index %.1f MiB: %.0f bytes per entry (vectors %d bytes each)%n", indexBytes / 1048576.0,
        indexBytes / (double) n, DIM * 4);

    int queries = 20_000;
    long[] exact = new long[queries];
    for (int i = 0; i < queries; i++) {
      String prompt = "Question number " + random.nextInt(n) + " about topic 7 please answer it";
      long t = System.nanoTime();
      RequestFingerprint f = RequestFingerprint.of("model:m|*", request(prompt));
      shelf.get(f.exactKey(), 1);
      exact[i] = System.nanoTime() - t;
    }
    report("exact lookup (fingerprint + map read)", exact);

    int semanticQueries = 2_000;
    long[] semantic = new long[semanticQueries];
    long[] semanticCtx = new long[semanticQueries];
    for (int i = 0; i < semanticQueries; i++) {
      float[] q = vector(random);
      long t = System.nanoTime();
      List<SemanticIndex.Match> m = shelf.nearest("other-context-" + (i % 100), q, 4).get();
      semantic[i] = System.nanoTime() - t;
      t = System.nanoTime();
      m = shelf.nearest(context, q, 4).get();
      semanticCtx[i] = System.nanoTime() - t;
      if (m.isEmpty()) {
        throw new IllegalStateException("no neighbour in a context of " + n / 10 + " entries");
      }
    }
    report("semantic lookup, context with 1 entry (filtered HNSW k=4)", semantic);
    report("semantic lookup, context with " + n / 10 + " entries (filtered HNSW k=4)", semanticCtx);

    LocalEmbedder embedder = new LocalEmbedder(null, Files.createTempDirectory("bench-natives-"));
    embedder.embedNow("warm up the model");
    int sentences = 200;
    long[] embed = new long[sentences];
    for (int i = 0; i < sentences; i++) {
      long t = System.nanoTime();
      embedder.embedNow("How do I reset the password of account " + i + "?");
      embed[i] = System.nanoTime() - t;
    }
    report("local embedding (all-MiniLM-L6-v2 q, one short sentence)", embed);
    shelf.close();
  }

  private static UnifiedRequest request(String prompt) {
    return UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(ContentBlock.Text.of(prompt)))).build();
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Embedder.normalize(v);
  }

  private static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%s: n=%d p50 %.1f us, p90 %.1f us, p99 %.1f us, mean %.1f us%n", what, sorted.length,
        sorted[sorted.length / 2] / 1000.0, sorted[(int) (sorted.length * 0.9)] / 1000.0, sorted[(int) (sorted.length * 0.99)] / 1000.0,
        Arrays.stream(sorted).average().orElse(0) / 1000.0);
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
