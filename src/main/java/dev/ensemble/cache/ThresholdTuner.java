package dev.ensemble.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays a request trace through a simulated semantic cache at each threshold 0.90…0.98, offline: requests in trace
 * order; a request whose last user turn is close enough (cosine ≥ the threshold, {@link PromptGuards} agreeing) to an
 * earlier stored one of the same context is a hit, otherwise it is stored. A hit whose recorded answer is less than
 * {@link #AGREEMENT} similar to the answer the cached entry holds is an audited disagreement — what the cache would have
 * served wrongly. Embeddings come from the given embedder (the built-in one from {@code ensemble cache-tune}). Pure
 * computation over the trace; single-threaded.
 */
public final class ThresholdTuner {

  /** Answers at least this similar agree (the same bar the live audits use). */
  public static final double AGREEMENT = 0.85;

  /** One request of the trace: its context (everything that must match exactly), last user turn and recorded answer. */
  public record TraceRequest(String context, String prompt, String answer) {}

  /** The outcome at one threshold. */
  public record Row(double threshold, int requests, int hits, int exactHits, int disagreements, int guardRefusals) {
    public double hitRate() {
      return requests == 0 ? 0 : (double) hits / requests;
    }

    public double disagreementRate() {
      return hits == 0 ? 0 : (double) disagreements / hits;
    }
  }

  private ThresholdTuner() {
  }

  public static List<Row> tune(List<TraceRequest> trace, Function<String, float[]> embed) {
    Map<String, float[]> vectors = new HashMap<>();
    for (TraceRequest r : trace) {
      vectors.computeIfAbsent(r.prompt(), embed);
      vectors.computeIfAbsent(r.answer(), embed);
    }
    List<Row> rows = new ArrayList<>();
    for (int t = 90; t <= 98; t++) {
      rows.add(replay(trace, vectors, t / 100.0));
    }
    return rows;
  }

  private static Row replay(List<TraceRequest> trace, Map<String, float[]> vectors, double threshold) {
    Map<String, List<TraceRequest>> stored = new HashMap<>();
    int hits = 0;
    int exact = 0;
    int wrong = 0;
    int refused = 0;
    for (TraceRequest r : trace) {
      List<TraceRequest> sameContext = stored.computeIfAbsent(r.context(), c -> new ArrayList<>());
      TraceRequest best = null;
      double bestSimilarity = -2;
      boolean refusedHere = false;
      for (TraceRequest s : sameContext) {
        double sim = s.prompt().equals(r.prompt()) ? 1.0 : Embedder.cosine(vectors.get(s.prompt()), vectors.get(r.prompt()));
        if (sim < threshold) {
          continue;
        }
        if (!PromptGuards.agree(s.prompt(), r.prompt())) {
          refusedHere = true;
          continue;
        }
        if (sim > bestSimilarity) {
          best = s;
          bestSimilarity = sim;
        }
      }
      if (best == null) {
        refused += refusedHere ? 1 : 0;
        sameContext.add(r);
        continue;
      }
      hits++;
      exact += best.prompt().equals(r.prompt()) ? 1 : 0;
      if (!best.answer().equals(r.answer()) && Embedder.cosine(vectors.get(best.answer()), vectors.get(r.answer())) < AGREEMENT) {
        wrong++;
      }
    }
    return new Row(threshold, trace.size(), hits, exact, wrong, refused);
  }

  /** The table {@code ensemble cache-tune} prints. */
  public static String table(List<Row> rows) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-9s %8s %6s %8s %6s %13s %16s %14s%n", "threshold", "requests",
        "hits", "hit_rate", "exact", "disagreements", "disagreement_rate", "guard_refusals"));
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "%-9.2f %8d %6d %8.3f %6d %13d %16.3f %14d%n", r.threshold(), r.requests(), r.hits(),
          r.hitRate(), r.exactHits(), r.disagreements(), r.disagreementRate(), r.guardRefusals()));
    }
    return out.toString();
  }
}
