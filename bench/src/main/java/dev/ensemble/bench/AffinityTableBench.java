package dev.ensemble.bench;

import dev.ensemble.routing.affinity.AffinityTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link AffinityTable} at its production size: 2^21 slots holding 1,000,000 live fingerprints. A request
 * looks up about 20 checkpoints, longest first: the hit cases hit at the 3rd (a follow-up turn: the newest
 * user turn and answer are not cached yet) or only at the last (a new session sharing a system prompt).
 * The plain benchmarks repeat one request, so its slots stay in the CPU caches; the {@code Cold} ones cycle
 * through 65,536 requests (1.3M distinct probes), closer to production where most probes go to DRAM.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AffinityTableBench {

  static final int CAPACITY = 1 << 21;
  static final int LIVE = 1_000_000;
  static final int CHECKPOINTS = 20;
  static final long NOW = 1_800_000_000_000L;
  static final int TTL = 3_600;
  /** Distinct requests cycled through by the cold benchmarks, so most probes miss the CPU caches. */
  static final int COLD_REQUESTS = 1 << 16;

  AffinityTable table;
  long[] hitAtThird;
  long[] hitAtLast;
  long[] miss;
  int[] tokens;
  long[][] coldHits;
  long[][] coldMisses;
  int next;
  long nextKey;

  @Setup(Level.Trial)
  public void fill() {
    table = new AffinityTable(CAPACITY);
    SplittableRandom random = new SplittableRandom(42);
    long[] live = new long[LIVE];
    for (int i = 0; i < LIVE; i++) {
      live[i] = random.nextLong();
      table.put(live[i], i & 0xFFFF, TTL, NOW);
    }
    hitAtThird = new long[CHECKPOINTS];
    hitAtLast = new long[CHECKPOINTS];
    miss = new long[CHECKPOINTS];
    tokens = new int[CHECKPOINTS];
    for (int i = 0; i < CHECKPOINTS; i++) {
      hitAtThird[i] = random.nextLong();
      hitAtLast[i] = random.nextLong();
      miss[i] = random.nextLong();
      tokens[i] = (CHECKPOINTS - i) * 1_000;
    }
    hitAtThird[2] = live[LIVE / 2];
    hitAtLast[CHECKPOINTS - 1] = live[LIVE / 3];
    coldHits = new long[COLD_REQUESTS][];
    coldMisses = new long[COLD_REQUESTS][];
    for (int r = 0; r < COLD_REQUESTS; r++) {
      coldHits[r] = random.longs(CHECKPOINTS).toArray();
      coldHits[r][2] = live[random.nextInt(LIVE)];
      coldMisses[r] = random.longs(CHECKPOINTS).toArray();
    }
    nextKey = random.nextLong();
  }

  @Benchmark
  public AffinityTable.Hit longestHitAtThird() {
    return table.longest(hitAtThird, tokens, NOW);
  }

  @Benchmark
  public AffinityTable.Hit longestHitAtLast() {
    return table.longest(hitAtLast, tokens, NOW);
  }

  @Benchmark
  public AffinityTable.Hit longestMiss() {
    return table.longest(miss, tokens, NOW);
  }

  @Benchmark
  public AffinityTable.Hit longestHitAtThirdCold() {
    return table.longest(coldHits[next++ & (COLD_REQUESTS - 1)], tokens, NOW);
  }

  @Benchmark
  public AffinityTable.Hit longestMissCold() {
    return table.longest(coldMisses[next++ & (COLD_REQUESTS - 1)], tokens, NOW);
  }

  /** Inserts fresh keys: the table fills to capacity, then every put evicts. */
  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime, Mode.AverageTime})
  public void put() {
    long key = nextKey += 0x9E3779B97F4A7C15L;
    table.put(key, (int) key & 0xFFFF, TTL, NOW);
  }
}
