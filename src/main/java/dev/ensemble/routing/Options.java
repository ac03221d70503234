package dev.ensemble.routing;

import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The endpoints one routing decision may choose from, each with the request's estimates at its provider. Held
 * as parallel arrays — per candidate provider (its endpoint table, estimated tokens and cost, whether a failover
 * avoids it) and per option (its candidate, its position in that table, whether it is a half-open circuit's
 * probe) — so a decision over many endpoints allocates a few arrays, not an object per endpoint. Options are
 * numbered 0 to {@link #size()} - 1 in the order added: candidates in the model's provider order, endpoints in
 * their pool's order. Confined to the decision that builds it.
 */
final class Options {

  private final Candidate[] candidates;
  private final EndpointTable[] tables;
  private final long[] tokens;
  private final double[] costs;
  private final boolean[] avoided;
  private int[] candidateOf;
  private int[] endpointOf;
  private boolean[] probes;
  private int size;
  /** Per candidate, the first option of it and one past its last (options of a candidate are added together). */
  private final int[] runStart;
  private final int[] runEnd;

  Options(int candidates, int expectedOptions) {
    this.candidates = new Candidate[candidates];
    this.tables = new EndpointTable[candidates];
    this.tokens = new long[candidates];
    this.costs = new double[candidates];
    this.avoided = new boolean[candidates];
    int capacity = Math.max(4, expectedOptions);
    candidateOf = new int[capacity];
    endpointOf = new int[capacity];
    probes = new boolean[capacity];
    runStart = new int[candidates];
    runEnd = new int[candidates];
  }

  private Options(Options of, int capacity) {
    candidates = of.candidates;
    tables = of.tables;
    tokens = of.tokens;
    costs = of.costs;
    avoided = of.avoided;
    candidateOf = new int[capacity];
    endpointOf = new int[capacity];
    probes = new boolean[capacity];
    runStart = new int[candidates.length];
    runEnd = new int[candidates.length];
  }

  /** Declares candidate {@code c} (0-based, in order) with its table and the request's estimates there. */
  void candidate(int c, Candidate candidate, EndpointTable table, long tokens, double cost, boolean avoided) {
    candidates[c] = candidate;
    tables[c] = table;
    this.tokens[c] = tokens;
    costs[c] = cost;
    this.avoided[c] = avoided;
  }

  /** Adds endpoint {@code index} of candidate {@code c}'s table: all of one candidate's together, by position. */
  void add(int c, int index, boolean probe) {
    if (size == 0 || candidateOf[size - 1] != c) {
      runStart[c] = size;
    }
    runEnd[c] = size + 1;
    if (size == candidateOf.length) {
      candidateOf = Arrays.copyOf(candidateOf, size * 2);
      endpointOf = Arrays.copyOf(endpointOf, size * 2);
      probes = Arrays.copyOf(probes, size * 2);
    }
    candidateOf[size] = c;
    endpointOf[size] = index;
    probes[size++] = probe;
  }

  /** The options {@code keep} accepts, renumbered in order; this instance when it accepts all. */
  Options retain(IntPredicate keep) {
    int kept = 0;
    for (int o = 0; o < size; o++) {
      kept += keep.test(o) ? 1 : 0;
    }
    if (kept == size) {
      return this;
    }
    Options subset = new Options(this, Math.max(1, kept));
    for (int o = 0; o < size; o++) {
      if (keep.test(o)) {
        subset.add(candidateOf[o], endpointOf[o], probes[o]);
      }
    }
    return subset;
  }

  int size() {
    return size;
  }

  /** The option for endpoint {@code index} of candidate {@code c}'s table, or -1 when it is not one. */
  int optionOf(int c, int index) {
    int lo = runStart[c];
    int hi = runEnd[c] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (endpointOf[mid] < index) {
        lo = mid + 1;
      } else if (endpointOf[mid] > index) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** Whether candidate {@code c} has options. */
  boolean has(int c) {
    return runEnd[c] > runStart[c];
  }

  /** The candidates declared, options or not. */
  int candidates() {
    return candidates.length;
  }

  Candidate declared(int c) {
    return candidates[c];
  }

  EndpointTable tableOf(int c) {
    return tables[c];
  }

  double costOf(int c) {
    return costs[c];
  }

  Candidate candidate(int o) {
    return candidates[candidateOf[o]];
  }

  ProviderPool pool(int o) {
    return candidates[candidateOf[o]].pool();
  }

  EndpointTable table(int o) {
    return tables[candidateOf[o]];
  }

  int index(int o) {
    return endpointOf[o];
  }

  Endpoint endpoint(int o) {
    return tables[candidateOf[o]].endpoints[endpointOf[o]];
  }

  int domain(int o) {
    return tables[candidateOf[o]].domains[endpointOf[o]];
  }

  long tokens(int o) {
    return tokens[candidateOf[o]];
  }

  double cost(int o) {
    return costs[candidateOf[o]];
  }

  boolean probe(int o) {
    return probes[o];
  }

  boolean avoided(int o) {
    return avoided[candidateOf[o]];
  }
}
