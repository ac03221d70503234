package dev.ensemble.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The event bus's {@code vertx_eventbus_*} meters, as vertx-micrometer-metrics names and tags them ({@code address},
 * {@code side} = local | remote): handlers, pending, processed, published, sent, received, delivered, discarded, reply
 * failures, bytes read and written. Unlike vertx-micrometer's own event-bus metrics, which build the tags and look the
 * meters up in the registry for every message (and re-register the pending gauge each time, vert-x3/vertx-micrometer-metrics#259),
 * each address's meters are registered once, on its first message, and then found by one map read on the address:
 * a message costs a hash lookup and a few adds.
 *
 * <p>Shared by every thread that sends or receives on the event bus: the meters are thread-safe, and the map of
 * addresses is a {@link ConcurrentHashMap} (addresses are the node's fixed set, {@code bus.Addresses}, plus one per
 * provider, so it stays small). Internal addresses ({@code __vertx.*}, replies) are not counted, as in vertx-micrometer.
 */
final class EventBusMeters implements EventBusMetrics<EventBusMeters.Address> {

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final Map<String, Address> addresses = new ConcurrentHashMap<>();
  private final Map<String, Counter> replyFailures = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary[]> bytes = new ConcurrentHashMap<>();

  EventBusMeters(MeterRegistry registry, MetricsNaming naming) {
    this.registry = registry;
    this.names = naming.withBaseName(MetricsDomain.EVENT_BUS.getPrefix());
  }

  /** One address's meters: its handlers, and its messages from this node ({@code local}) and from others ({@code remote}). */
  final class Address {
    final LongAdder handlers = new LongAdder();
    final Side local;
    final Side remote;

    Address(String address) {
      Gauge.builder(names.getEbHandlers(), handlers, LongAdder::doubleValue).description("Number of event bus handlers in use")
          .tags(Tags.of("address", address)).register(registry);
      local = new Side(address, "local");
      remote = new Side(address, "remote");
    }

    Side side(boolean isLocal) {
      return isLocal ? local : remote;
    }
  }

  /** One address's message meters on one side. */
  final class Side {
    final LongAdder pending = new LongAdder();
    final Counter processed;
    final Counter discarded;
    final Counter published;
    final Counter sent;
    final Counter received;
    final Counter delivered;

    Side(String address, String side) {
      Tags tags = Tags.of("address", address, "side", side);
      Gauge.builder(names.getEbPending(), pending, LongAdder::doubleValue).description("Number of messages not processed yet")
          .tags(tags).register(registry);
      processed = Counter.builder(names.getEbProcessed()).description("Number of processed messages").tags(tags).register(registry);
      discarded = Counter.builder(names.getEbDiscarded()).description("Number of discarded messages").tags(tags).register(registry);
      published = Counter.builder(names.getEbPublished()).description("Number of messages published (publish / subscribe)").tags(tags)
          .register(registry);
      sent = Counter.builder(names.getEbSent()).description("Number of messages sent (point-to-point)").tags(tags).register(registry);
      received = Counter.builder(names.getEbReceived()).description("Number of messages received").tags(tags).register(registry);
      delivered = Counter.builder(names.getEbDelivered()).description("Number of messages delivered to handlers").tags(tags)
          .register(registry);
    }
  }

  private Address address(String address) {
    Address meters = addresses.get(address);
    return meters != null ? meters : addresses.computeIfAbsent(address, Address::new);
  }

  private static boolean internal(String address) {
    return address.startsWith("__vertx.");
  }

  @Override
  public Address handlerRegistered(String address) {
    if (internal(address)) {
      return null;
    }
    Address meters = address(address);
    meters.handlers.increment();
    return meters;
  }

  @Override
  public void handlerUnregistered(Address handler) {
    if (handler != null) {
      handler.handlers.decrement();
    }
  }

  @Override
  public void messageDelivered(Address handler, boolean isLocal) {
    if (handler != null) {
      Side side = handler.side(isLocal);
      side.pending.decrement();
      side.processed.increment();
    }
  }

  @Override
  public void discardMessage(Address handler, boolean isLocal, Message<?> msg) {
    if (handler != null) {
      Side side = handler.side(isLocal);
      side.pending.decrement();
      side.discarded.increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean isLocal, boolean isRemote) {
    if (!internal(address)) {
      Side side = address(address).side(isLocal);
      (publish ? side.published : side.sent).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean isLocal, int handlers) {
    if (!internal(address)) {
      Side side = address(address).side(isLocal);
      side.received.increment();
      if (handlers > 0) {
        side.pending.add(handlers);
        side.delivered.increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    if (!internal(address)) {
      bytesOf(address)[0].record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    if (!internal(address)) {
      bytesOf(address)[1].record(numberOfBytes);
    }
  }

  private DistributionSummary[] bytesOf(String address) {
    return bytes.computeIfAbsent(address, a -> new DistributionSummary[] {
        DistributionSummary.builder(names.getEbBytesWritten())
            .description("Number of bytes sent while sending messages to event bus cluster peers").tags("address", a).register(registry),
        DistributionSummary.builder(names.getEbBytesRead())
            .description("Number of bytes received while reading messages from event bus cluster peers").tags("address", a).register(registry)});
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!internal(address)) {
      replyFailures.computeIfAbsent(address + '\u0000' + failure.name(), k -> Counter.builder(names.getEbReplyFailures())
          .description("Number of message reply failures").tags("address", address, "failure", failure.name()).register(registry))
          .increment();
    }
  }
}
