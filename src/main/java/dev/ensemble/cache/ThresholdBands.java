package dev.ensemble.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * What other thresholds would have done, on this node since start: every semantic lookup's best neighbour (whose
 * guards agreed) is counted in a band of similarity ({@code < 0.90}, then {@code 0.90}…{@code 0.99} in steps of 0.01),
 * and every audit in the band of its hit. For a threshold {@code t}, the hit rate is the share of semantic lookups
 * whose best agreeing neighbour reached {@code t}, and the audited disagreement the share of audits at or above
 * {@code t} whose fresh answer disagreed. Lock-free counters; {@link #counts} and {@link #add} carry them between nodes
 * ({@link FleetCacheStats} sums the fleet's).
 */
public final class ThresholdBands {

  private static final int BANDS = 11;
  private final LongAdder lookups = new LongAdder();
  private final LongAdder[] best = adders();
  private final LongAdder[] audited = adders();
  private final LongAdder[] disagreed = adders();

  private static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[BANDS];
    for (int i = 0; i < BANDS; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Band 0 is below 0.90; band i (1..10) is [0.89 + i/100, 0.90 + i/100). */
  static int band(double similarity) {
    if (similarity < 0.90) {
      return 0;
    }
    return Math.min(BANDS - 1, 1 + (int) Math.floor((similarity - 0.90) * 100 + 1e-9));
  }

  /** A semantic lookup; {@code bestAgreeing} is the similarity of its best neighbour whose guards agreed, or NaN. */
  public void lookup(double bestAgreeing) {
    lookups.increment();
    if (!Double.isNaN(bestAgreeing)) {
      best[band(bestAgreeing)].increment();
    }
  }

  public void audit(double hitSimilarity, boolean agreed) {
    int b = band(hitSimilarity);
    audited[b].increment();
    if (!agreed) {
      disagreed[b].increment();
    }
  }

  /** The raw counters: {@code {lookups, best: [11], audited: [11], disagreed: [11]}}. */
  public JsonObject counts() {
    return new JsonObject().put("lookups", lookups.sum()).put("best", sums(best)).put("audited", sums(audited))
        .put("disagreed", sums(disagreed));
  }

  /** Adds another node's (or an earlier run's) {@link #counts}; malformed or missing parts add nothing. */
  public void add(JsonObject counts) {
    if (counts == null) {
      return;
    }
    Object n = counts.getValue("lookups");
    if (n instanceof Number number) {
      lookups.add(number.longValue());
    }
    addAll(best, counts.getValue("best"));
    addAll(audited, counts.getValue("audited"));
    addAll(disagreed, counts.getValue("disagreed"));
  }

  private static JsonArray sums(LongAdder[] adders) {
    JsonArray out = new JsonArray();
    for (LongAdder a : adders) {
      out.add(a.sum());
    }
    return out;
  }

  private static void addAll(LongAdder[] adders, Object values) {
    if (!(values instanceof JsonArray array)) {
      return;
    }
    for (int i = 0; i < Math.min(adders.length, array.size()); i++) {
      if (array.getValue(i) instanceof Number number) {
        adders[i].add(number.longValue());
      }
    }
  }

  public JsonArray toJson() {
    JsonArray out = new JsonArray();
    long total = lookups.sum();
    for (int t = 90; t <= 98; t++) {
      int from = t - 89;
      long hits = 0;
      long audits = 0;
      long wrong = 0;
      for (int b = from; b < BANDS; b++) {
        hits += best[b].sum();
        audits += audited[b].sum();
        wrong += disagreed[b].sum();
      }
      out.add(new JsonObject().put("threshold", String.format(Locale.ROOT, "%.2f", t / 100.0))
          .put("semantic_lookups", total).put("would_hit", hits).put("hit_rate", total == 0 ? null : (double) hits / total)
          .put("audits", audits).put("disagreements", wrong).put("disagreement_rate", audits == 0 ? null : (double) wrong / audits));
    }
    return out;
  }
}
