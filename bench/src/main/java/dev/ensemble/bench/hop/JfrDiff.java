package dev.ensemble.bench.hop;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares two JFR recordings of the same gateway per request, e.g. one at c = 100 and one at c = 1000: execution
 * samples per 1,000 requests by thread, by method (self and inclusive) and charged to the nearest {@code dev.ensemble}
 * frame, sorted by how much they grew from the first recording to the second; and the garbage collections (count,
 * summed duration and pauses, heap used after) per 1,000 requests. Sampling every {@code JFR_PERIOD} on busy threads,
 * samples per request are CPU per request up to that period.
 *
 * <p>Usage: {@code JfrDiff <a.jfr> <requests in a> <b.jfr> <requests in b> [<rows>]}; prints Markdown tables.
 */
public final class JfrDiff {

  private record Profile(Map<String, Integer> self, Map<String, Integer> total, Map<String, Integer> byCaller,
                         Map<String, Integer> byThread, int samples, Map<String, double[]> gc) {
  }

  public static void main(String[] args) throws IOException {
    Profile a = read(Path.of(args[0]));
    double requestsA = Double.parseDouble(args[1]);
    Profile b = read(Path.of(args[2]));
    double requestsB = Double.parseDouble(args[3]);
    int rows = args.length > 4 ? Integer.parseInt(args[4]) : 25;
    System.out.printf(Locale.ROOT, "A: %d samples over %.0f requests (%.2f per 1,000); B: %d samples over %.0f requests (%.2f per 1,000)%n%n",
        a.samples, requestsA, 1000 * a.samples / requestsA, b.samples, requestsB, 1000 * b.samples / requestsB);
    print("thread", a.byThread, requestsA, b.byThread, requestsB, rows);
    print("self", a.self, requestsA, b.self, requestsB, rows);
    print("total (inclusive)", a.total, requestsA, b.total, requestsB, rows);
    print("self, charged to the nearest dev.ensemble frame", a.byCaller, requestsA, b.byCaller, requestsB, rows);
    System.out.println("| garbage collections | A per 1,000 requests | B per 1,000 requests |");
    System.out.println("| --- | ---: | ---: |");
    for (String name : new TreeSet<>(union(a.gc.keySet(), b.gc.keySet()))) {
      double[] x = a.gc.getOrDefault(name, new double[3]);
      double[] y = b.gc.getOrDefault(name, new double[3]);
      System.out.printf(Locale.ROOT, "| %s: count | %.3f | %.3f |%n", name, 1000 * x[0] / requestsA, 1000 * y[0] / requestsB);
      System.out.printf(Locale.ROOT, "| %s: ms (sum of durations) | %.3f | %.3f |%n", name, 1000 * x[1] / requestsA, 1000 * y[1] / requestsB);
      System.out.printf(Locale.ROOT, "| %s: ms paused | %.3f | %.3f |%n", name, 1000 * x[2] / requestsA, 1000 * y[2] / requestsB);
      System.out.printf(Locale.ROOT, "| %s: ms per collection | %.2f | %.2f |%n", name, x[0] > 0 ? x[1] / x[0] : 0, y[0] > 0 ? y[1] / y[0] : 0);
    }
    System.out.println();
  }

  private static Set<String> union(Set<String> x, Set<String> y) {
    Set<String> all = new HashSet<>(x);
    all.addAll(y);
    return all;
  }

  private static Profile read(Path file) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    Map<String, Integer> byCaller = new HashMap<>();
    Map<String, Integer> byThread = new HashMap<>();
    Map<String, double[]> gc = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      String type = event.getEventType().getName();
      if (type.equals("jdk.GarbageCollection")) {
        double[] sums = gc.computeIfAbsent(event.getString("name"), k -> new double[3]);
        sums[0]++;
        sums[1] += event.getDuration().toNanos() / 1e6;
        sums[2] += event.getDuration("sumOfPauses").toNanos() / 1e6;
        continue;
      }
      if (!type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      RecordedThread thread = event.getThread("sampledThread");
      String threadName = thread == null || thread.getJavaName() == null ? "(unknown)" : thread.getJavaName().replaceAll("-?[0-9]+$", "");
      byThread.merge(threadName, 1, Integer::sum);
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(JfrTopNames.name(frames.get(0)), 1, Integer::sum);
      String caller = "(no dev.ensemble frame)";
      for (RecordedFrame frame : frames) {
        if (JfrTopNames.name(frame).startsWith("dev.ensemble.")) {
          caller = JfrTopNames.name(frame);
          break;
        }
      }
      byCaller.merge(caller, 1, Integer::sum);
      Set<String> once = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = JfrTopNames.name(frame);
        if (once.add(name)) {
          total.merge(name, 1, Integer::sum);
        }
      }
    }
    return new Profile(self, total, byCaller, byThread, samples, gc);
  }

  /** Rows sorted by growth per 1,000 requests from A to B, the largest first. */
  private static void print(String title, Map<String, Integer> a, double requestsA, Map<String, Integer> b, double requestsB, int rows) {
    System.out.printf("| %s | A per 1,000 req | B per 1,000 req | B − A |%n| --- | ---: | ---: | ---: |%n", title);
    union(a.keySet(), b.keySet()).stream()
        .sorted((x, y) -> Double.compare(growth(y, a, requestsA, b, requestsB), growth(x, a, requestsA, b, requestsB)))
        .limit(rows)
        .forEach(k -> {
          double pa = 1000 * a.getOrDefault(k, 0) / requestsA;
          double pb = 1000 * b.getOrDefault(k, 0) / requestsB;
          System.out.printf(Locale.ROOT, "| `%s` | %.2f | %.2f | %+.2f |%n", k, pa, pb, pb - pa);
        });
    System.out.println();
  }

  private static double growth(String k, Map<String, Integer> a, double requestsA, Map<String, Integer> b, double requestsB) {
    return 1000 * b.getOrDefault(k, 0) / requestsB - 1000 * a.getOrDefault(k, 0) / requestsA;
  }

  /** The frame names {@link JfrTop} prints. */
  private static final class JfrTopNames {
    static String name(RecordedFrame frame) {
      if (frame.getMethod() == null) {
        return "(unknown)";
      }
      String type = frame.getMethod().getType().getName();
      int lambda = type.indexOf("$$Lambda");
      return (lambda < 0 ? type : type.substring(0, lambda) + "$$Lambda") + "." + frame.getMethod().getName();
    }
  }

  private JfrDiff() {
  }
}
