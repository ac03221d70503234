package dev.ensemble.bench;

import dev.ensemble.cache.CacheShelf;
import dev.ensemble.cache.CachedAnswer;
import dev.ensemble.cache.Embedder;
import dev.ensemble.cache.EmbeddingModule;
import dev.ensemble.cache.EmbeddingModules;
import dev.ensemble.cache.LocalEmbedder;
import dev.ensemble.cache.RequestFingerprint;
import dev.ensemble.cache.SemanticIndex;
import dev.ensemble.config.ResponseCacheConfig;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The response cache at scale, as a plain program (not JMH: building a 100,000-entry HNSW graph dominates a run):
 * <ol>
 *   <li>joins: loads N entries into a {@link CacheShelf} the way a node joining a fleet does ({@code CacheShelf.load} in
 *       pages of 1,000 parsed from their shared JSON, 384-dimension unit vectors, 60-character prompts, 400-character
 *       answers, 10 % in one shared context), timing until every page is filed (exact hits served) and until the
 *       last vector is indexed;</li>
 *   <li>heap and index bytes per entry once indexed (the shelf keeps no copy of the vectors then);</li>
 *   <li>the exact lookup (fingerprint of a request + map read) and the semantic lookup (filtered HNSW k=4 query) with
 *       their percentiles, idle and while the writer indexes a stream of new entries;</li>
 *   <li>the built-in embedder's time per short sentence (when the local embedder module is on the class path).</li>
 * </ol>
 * Random vectors are a hard case for HNSW (no clusters). Run (see RESULTS.md):
 * {@code java -Xmx2g -cp /tmp/bench:target/ensemble.jar:target/ensemble-local-embedder.jar dev.ensemble.bench.ResponseCacheBench 100000}.
 */
public final class ResponseCacheBench {

  private static final int DIM = 384;
  private static final int PAGE = 1_000;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Random random = new Random(42);
    String context = "ctx";
    long heapBefore = usedHeap();
    CacheShelf shelf = new CacheShelf(policy -> Integer.MAX_VALUE);
    List<List<String>> pages = new ArrayList<>();
    for (int from = 0; from < n; from += PAGE) {
      List<String> json = new ArrayList<>(PAGE);
      for (int i = from; i < Math.min(n, from + PAGE); i++) {
        json.add(entry(i, random, context).toJson().encode());
      }
      pages.add(json);
    }
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    for (List<String> json : pages) {
      List<CachedAnswer> page = new ArrayList<>(json.size());
      for (String j : json) {
        page.add(CachedAnswer.fromJson(new JsonObject(j)));
      }
      shelf.load(page);
    }
    long filedMs = (System.nanoTime() - start) / 1_000_000;
    shelf.indexed().get();
    long indexedMs = (System.nanoTime() - start) / 1_000_000;
    long loadCpuMs = (cpuNanos() - cpuStart) / 1_000_000;
    pages = null;
    long indexBytes = shelf.indexBytes().get();
    long heapAfter = usedHeap();
    System.out.printf("entries %d, %d cores: loaded as a joining node does: all filed (exact hits) after %d ms, all indexed after %d ms%n",
        n, Runtime.getRuntime().availableProcessors(), filedMs, indexedMs);
    System.out.printf("  CPU time of the process meanwhile: %d ms (parse, file, index, merges, GC)%n", loadCpuMs);
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

    semantic(shelf, random, context, n, 2_000, "idle");

    // The same searches while the writer indexes a stream of new entries (one put at a time, as answers arrive).
    AtomicBoolean inserting = new AtomicBoolean(true);
    AtomicInteger inserted = new AtomicInteger();
    Random insertRandom = new Random(7);
    Thread inserter = new Thread(() -> {
      for (int i = n; inserting.get() && i < n + 50_000; i++) {
        shelf.put(entry(i, insertRandom, context));
        inserted.incrementAndGet();
        if (shelf.indexBacklog() > 2_000) {
          shelf.indexed().join();
        }
      }
    });
    inserter.start();
    semantic(shelf, random, context, n, 1_000, "while indexing new entries");
    inserting.set(false);
    inserter.join();
    shelf.indexed().get();
    System.out.printf("(%d entries put meanwhile)%n", inserted.get());

    Optional<EmbeddingModule> module = EmbeddingModules.find(ResponseCacheConfig.LOCAL_EMBEDDER, ResponseCacheBench.class.getClassLoader(), null);
    if (module.isEmpty()) {
      System.out.println("local embedder: module not on the class path, skipped");
    } else {
      LocalEmbedder embedder = new LocalEmbedder(null, module.get(), Files.createTempDirectory("bench-natives-"));
      embedder.embedNow("warm up the model");
      int sentences = 200;
      long[] embed = new long[sentences];
      for (int i = 0; i < sentences; i++) {
        long t = System.nanoTime();
        embedder.embedNow("How do I reset the password of account " + i + "?");
        embed[i] = System.nanoTime() - t;
      }
      report("local embedding (all-MiniLM-L6-v2 q, one short sentence)", embed);
    }
    shelf.close();
  }

  private static void semantic(CacheShelf shelf, Random random, String context, int n, int count, String when) throws Exception {
    long[] semantic = new long[count];
    long[] semanticCtx = new long[count];
    for (int i = 0; i < count; i++) {
      float[] q = vector(random);
      long t = System.nanoTime();
      shelf.nearest("other-context-" + (i % 100), q, 4).get();
      semantic[i] = System.nanoTime() - t;
      t = System.nanoTime();
      List<SemanticIndex.Match> m = shelf.nearest(context, q, 4).get();
      semanticCtx[i] = System.nanoTime() - t;
      if (m.isEmpty()) {
        throw new IllegalStateException("no neighbour in a context of " + n / 10 + " entries");
      }
    }
    report("semantic lookup, context with 1 entry (filtered HNSW k=4), " + when, semantic);
    report("semantic lookup, context with " + n / 10 + " entries (filtered HNSW k=4), " + when, semanticCtx);
  }

  private static CachedAnswer entry(int i, Random random, String context) {
    String prompt = "Question number " + i + " about topic " + random.nextInt(1000) + " please answer it";
    RequestFingerprint f = RequestFingerprint.of("model:m|*", request(prompt));
    UnifiedResponse answer = new UnifiedResponse("id" + i, "m", List.of(ContentBlock.Text.of("x".repeat(400))), StopReason.END_TURN, null,
        new Usage(20L, 100L, 0L, 0L));
    return new CachedAnswer(f.exactKey(), "model:m", i % 10 == 0 ? context : f.contextKey(), prompt, vector(random), answer,
        new BigDecimal("0.0001"), 0, Long.MAX_VALUE);
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

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
