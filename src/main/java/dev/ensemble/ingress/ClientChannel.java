package dev.ensemble.ingress;

import dev.ensemble.cache.Lookup;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.routing.RoutingDecision;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Where the answer to one client request goes: an HTTP response in the client's format ({@link HttpChannel}) or
 * one request among several on a WebSocket ({@link WebSocketChannel}). A {@link ChatExchange} and its
 * {@link UpstreamAttempt}s deliver through it and never see the transport. Confined to one event loop.
 *
 * <p>Before anything is {@link #started()} the answer can still become a clean error ({@link #fail}); after, a
 * failure is an error event written into the stream followed by {@link #end()}.
 */
interface ClientChannel {

  /** The endpoint an attempt goes to, before the first byte (HTTP: the {@code X-Ensemble-*} headers). */
  void routed(RoutingDecision decision, int attempts);

  /**
   * What the response cache did, before anything is sent (HTTP: {@code X-Cache-Status}, and for a hit {@code Age}
   * and, semantic, {@code X-Cache-Similarity}; WebSocket: a {@code cache} object on {@code response.start}).
   */
  void cached(Lookup lookup, long nowMillis);

  /** A streamed answer to {@code request} begins: fresh rendering state, nothing sent yet. */
  void beginStream(UnifiedRequest request);

  /**
   * The streamed answer comes from {@code upstream}: a channel whose client speaks the upstream's format may pass
   * the upstream's bytes through (see {@link dev.ensemble.wire.StreamEncoder#relayFrom}). Called after
   * {@link #beginStream}, before the first event.
   */
  default void relayFrom(StreamDecoder upstream) {
  }

  /**
   * Renders one unified event of the streamed answer (a format may have nothing to say for some events). A channel
   * may hold the bytes until {@link #flush()} (or {@link #end()}), so that the events decoded from one upstream chunk
   * leave in one write.
   */
  void write(StreamEvent event);

  /** Sends what {@link #write} holds; called after the events of each upstream chunk. */
  default void flush() {
  }

  /** The streamed answer is complete (its terminal event was written). */
  void end();

  /** Sends a complete non-streamed answer; {@code events} is the same answer as unified events, as recorded. */
  void answer(UnifiedResponse answer, List<StreamEvent> events);

  /**
   * As {@link #answer(UnifiedResponse, List)}, with the answer's body already rendered in the client's format
   * ({@code rendered}: the bytes the response's record keeps, the same Buffer, changed by neither), or null. An HTTP
   * channel sends exactly these bytes instead of rendering the answer a second time.
   */
  default void answer(UnifiedResponse answer, List<StreamEvent> events, Buffer rendered) {
    answer(answer, events);
  }

  /** Sends an error: a plain error if nothing was sent yet, else ends what was sent. */
  void fail(GatewayError error);

  /** Whether any byte of the answer was sent. */
  boolean started();

  /** Whether the client can no longer receive this answer (gone or cancelled). */
  boolean closed();

  /** Whether the client asked for this request to stop (nothing more is sent, the upstream is cancelled). */
  boolean cancelled();

  /** Whether the client reads more slowly than the answer arrives: the upstream should pause. */
  boolean writeQueueFull();

  /** Called once when the client has room again after {@link #writeQueueFull()}. */
  void onDrain(Handler<Void> handler);

  /** Called when the client disconnects (at once if it already has); its {@code on_disconnect} decides what follows. */
  void onGone(Handler<Void> handler);

  /** Called when the client cancels the request (at once if it already has). */
  void onCancel(Handler<Void> handler);
}
