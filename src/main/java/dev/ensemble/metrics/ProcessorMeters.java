package dev.ensemble.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * CPU meters of the host and the JVM, named as Prometheus' own linter ({@code promtool check metrics}) wants
 * them. They replace Micrometer's {@code ProcessorMetrics}, whose {@code system_cpu_count} (a {@code _count}
 * suffix on a gauge) and {@code process_cpu_time_ns_total} (an abbreviated unit) it flags:
 * {@code system_cpu_processors}, {@code system_load_average_1m}, {@code system_cpu_usage},
 * {@code process_cpu_usage} and {@code process_cpu_seconds_total} (Prometheus' conventional name for a process's
 * CPU time). Stateless: every value is read from the platform's MXBean at scrape time.
 */
final class ProcessorMeters implements MeterBinder {

  @Override
  public void bindTo(MeterRegistry registry) {
    Runtime runtime = Runtime.getRuntime();
    Gauge.builder("system.cpu.processors", runtime, Runtime::availableProcessors)
        .description("The number of processors available to the JVM")
        .register(registry);
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os.getSystemLoadAverage() >= 0) {
      Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
          .description("Runnable entities queued to or running on the available processors, averaged over one minute")
          .register(registry);
    }
    if (os instanceof com.sun.management.OperatingSystemMXBean platform) {
      Gauge.builder("system.cpu.usage", platform, com.sun.management.OperatingSystemMXBean::getCpuLoad)
          .description("Recent CPU usage of the whole system, 0 to 1")
          .register(registry);
      Gauge.builder("process.cpu.usage", platform, com.sun.management.OperatingSystemMXBean::getProcessCpuLoad)
          .description("Recent CPU usage of the JVM process, 0 to 1")
          .register(registry);
      FunctionCounter.builder("process.cpu", platform, p -> p.getProcessCpuTime() / 1e9)
          .description("CPU time used by the JVM process")
          .baseUnit("seconds")
          .register(registry);
    }
  }
}
