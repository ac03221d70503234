package dev.ensemble.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic multi-session chat workload: sessions start uniformly over the trace's span, each on one of a
 * few long shared system prompts (popular ones more often), with 5 to 15 user turns of 50 to 500 tokens,
 * answers of 100 to 800 tokens, and think times log-uniform between 5 seconds and 10 minutes (so some pauses
 * outlive a 5-minute cache). Text is 4 characters per token exactly, so the router's estimate (characters / 4)
 * equals the simulated provider's count. Message text is made on demand from each session's seed.
 */
final class SyntheticTrace {

  /** System prompts' sizes in tokens, and how often sessions use each. */
  static final int[] SYSTEM_TOKENS = {2_000, 3_000, 4_000, 5_000, 6_500, 8_000};
  static final double[] SYSTEM_WEIGHTS = {0.30, 0.25, 0.15, 0.12, 0.10, 0.08};
  static final long THINK_MIN_MILLIS = 5_000;
  static final long THINK_MAX_MILLIS = 600_000;

  /** One conversation: when it starts, its system prompt, and its turns' sizes and think times. */
  record Session(int id, long startMillis, int systemId, int[] userTokens, int[] answerTokens, long[] thinkMillis, long textSeed) {
    int turns() {
      return userTokens.length;
    }
  }

  final List<Session> sessions = new ArrayList<>();
  final String[] systemPrompts = new String[SYSTEM_TOKENS.length];

  SyntheticTrace(long seed, int sessionCount, long spanMillis) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < SYSTEM_TOKENS.length; i++) {
      systemPrompts[i] = "[system prompt " + i + "] " + RouterDecisionBench.text(random, SYSTEM_TOKENS[i] * 4 - 20 - String.valueOf(i).length());
    }
    for (int s = 0; s < sessionCount; s++) {
      long start = (long) (random.nextDouble() * spanMillis);
      int system = pick(random.nextDouble());
      int turns = 5 + random.nextInt(11);
      int[] user = new int[turns];
      int[] answer = new int[turns];
      long[] think = new long[turns];
      for (int t = 0; t < turns; t++) {
        user[t] = 50 + random.nextInt(451);
        answer[t] = 100 + random.nextInt(701);
        think[t] = (long) (THINK_MIN_MILLIS * Math.pow((double) THINK_MAX_MILLIS / THINK_MIN_MILLIS, random.nextDouble()));
      }
      sessions.add(new Session(s, start, system, user, answer, think, random.nextLong()));
    }
  }

  /** The session's message texts: user turn t at 2t, its answer at 2t+1; each starts with a unique tag. */
  String[] texts(Session s) {
    SplittableRandom random = new SplittableRandom(s.textSeed());
    String[] texts = new String[2 * s.turns()];
    for (int t = 0; t < s.turns(); t++) {
      texts[2 * t] = tagged("u" + s.id() + "." + t + " ", random, s.userTokens()[t]);
      texts[2 * t + 1] = tagged("a" + s.id() + "." + t + " ", random, s.answerTokens()[t]);
    }
    return texts;
  }

  /** The answer's latency: first token after half a second plus the prompt at 20k tokens/s, then 60 tokens/s. */
  static long latencyMillis(int promptTokens, int answerTokens) {
    return 500 + promptTokens / 20 + answerTokens * 1000L / 60;
  }

  private static String tagged(String tag, SplittableRandom random, int tokens) {
    return tag + RouterDecisionBench.text(random, tokens * 4 - tag.length());
  }

  private static int pick(double u) {
    double acc = 0;
    for (int i = 0; i < SYSTEM_WEIGHTS.length; i++) {
      acc += SYSTEM_WEIGHTS[i];
      if (u < acc) {
        return i;
      }
    }
    return SYSTEM_WEIGHTS.length - 1;
  }
}
