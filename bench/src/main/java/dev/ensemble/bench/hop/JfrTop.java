package dev.ensemble.bench.hop;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording (what {@code jfr print --events
 * jdk.ExecutionSample} lists): the top methods by self samples (the frame on top of the stack), by total samples
 * (anywhere on the stack, once per sample), the top {@code dev.ensemble} methods by total samples, and every sample
 * charged to the innermost {@code dev.ensemble} method on its stack (which of the gateway's own methods caused the
 * library work under it).
 *
 * <p>Usage: {@code JfrTop <recording.jfr> [<rows>]}; prints Markdown tables.
 */
public final class JfrTop {

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    Map<String, Integer> byCaller = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1, Integer::sum);
      String caller = "(no dev.ensemble frame)";
      for (RecordedFrame frame : frames) {
        if (name(frame).startsWith("dev.ensemble.")) {
          caller = name(frame);
          break;
        }
      }
      byCaller.merge(caller, 1, Integer::sum);
      Set<String> once = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = name(frame);
        if (once.add(name)) {
          total.merge(name, 1, Integer::sum);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d execution samples in %s%n%n", samples, file.getFileName());
    print("self", self, samples, rows, null);
    print("total (inclusive)", total, samples, rows, null);
    print("total, dev.ensemble only", total, samples, rows, "dev.ensemble.");
    print("self, charged to the nearest dev.ensemble frame", byCaller, samples, rows, null);
  }

  private static String name(RecordedFrame frame) {
    if (frame.getMethod() == null) {
      return "(unknown)";
    }
    String type = frame.getMethod().getType().getName();
    int lambda = type.indexOf("$$Lambda");
    return (lambda < 0 ? type : type.substring(0, lambda) + "$$Lambda") + "." + frame.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples, int rows, String prefix) {
    System.out.printf("| %s | samples | %% |%n| --- | ---: | ---: |%n", title);
    counts.entrySet().stream()
        .filter(e -> prefix == null || e.getKey().startsWith(prefix))
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(rows)
        .forEach(e -> System.out.printf(Locale.ROOT, "| `%s` | %d | %.1f |%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / samples));
    System.out.println();
  }
}
