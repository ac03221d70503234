package dev.ensemble.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts behind the {@code vertx_http_*_active_requests} gauges, one per name and tags for a whole Vert.x instance:
 * a gauge reports the object it was first registered with, so every HTTP server or client of the instance whose
 * requests carry the same tags must add to the same counter (as vertx-micrometer's own gauges do). Shared by every
 * thread of the instance; the map is concurrent and holds one entry per series, so it stays as small as the series.
 */
final class ActiveGauges {

  private record Key(String name, Tags tags) {
  }

  private final MeterRegistry registry;
  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

  ActiveGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The count of {@code name} with {@code tags}, its gauge registered on the first call. */
  LongAdder count(String name, String description, Tags tags) {
    return counts.computeIfAbsent(new Key(name, tags), key -> {
      LongAdder count = new LongAdder();
      Gauge.builder(name, count, LongAdder::doubleValue).description(description).tags(tags).register(registry);
      return count;
    });
  }
}
