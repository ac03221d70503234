package dev.ensemble.ingress;

import dev.ensemble.cache.CacheStatus;
import dev.ensemble.cache.Lookup;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.routing.RoutingDecision;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;

/**
 * An answer on an HTTP response in the client's format: the routing headers, then a JSON body or SSE rendered by
 * the dialect's {@link StreamEncoder}; the status and headers go out with the first streamed bytes. The events of
 * one upstream chunk are gathered and leave in one write at {@link #flush()} (one chunk of the chunked body, one
 * flush of the connection), not one write per event; what is still held at {@link #end()} leaves with the end.
 */
final class HttpChannel implements ClientChannel {

  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("cache-control");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence ACCEL_BUFFERING = HttpHeaders.createOptimized("x-accel-buffering");
  private static final CharSequence NO = HttpHeaders.createOptimized("no");

  private final HttpServerResponse response;
  private final Headers.Names names;
  private final RoutingHeaders routing;
  private final ClientDialect dialect;
  private final ResponseContext context;
  private StreamEncoder encoder;
  /** Rendered events not yet written (null when none). */
  private Buffer pending;

  HttpChannel(HttpServerResponse response, Headers.Names names, RoutingHeaders routing, ClientDialect dialect, ResponseContext context) {
    this.response = response;
    this.names = names;
    this.routing = routing;
    this.dialect = dialect;
    this.context = context;
  }

  @Override
  public void routed(RoutingDecision decision, int attempts) {
    routing.put(response, names, decision, attempts);
  }

  @Override
  public void cached(Lookup lookup, long nowMillis) {
    response.putHeader(Headers.CACHE_STATUS, lookup.status().name());
    if (lookup.hit()) {
      response.putHeader(Headers.CACHE_AGE, Long.toString(lookup.entry().ageSeconds(nowMillis)))
          .putHeader(names.provider(), CacheReplay.PROVIDER)
          .putHeader(names.endpoint(), CacheReplay.PROVIDER)
          .putHeader(names.routeReason(), CacheReplay.reason(lookup))
          .putHeader(names.attempts(), RoutingHeaders.count(0));
      if (lookup.status() == CacheStatus.SEMANTIC_HIT) {
        response.putHeader(Headers.CACHE_SIMILARITY, String.format(java.util.Locale.ROOT, "%.4f", lookup.similarity()));
      }
    }
  }

  @Override
  public void beginStream(UnifiedRequest request) {
    encoder = dialect.newStreamEncoder(request, context);
  }

  @Override
  public void relayFrom(StreamDecoder upstream) {
    encoder.relayFrom(upstream);
  }

  @Override
  public void write(StreamEvent event) {
    Buffer bytes = encoder.encode(event);
    if (bytes.length() == 0 || response.closed()) {
      return;
    }
    if (pending == null) {
      pending = bytes;
    } else {
      pending.appendBuffer(bytes);
    }
  }

  @Override
  public void flush() {
    Buffer bytes = takePending();
    if (bytes == null || response.closed()) {
      return;
    }
    writeHead();
    response.write(bytes);
  }

  /** The rendered and relayed bytes not written yet, or null when there are none. */
  private Buffer takePending() {
    Buffer relayed = encoder == null ? null : encoder.pending();
    if (relayed != null && relayed.length() > 0) {
      if (pending == null) {
        pending = relayed;
      } else {
        pending.appendBuffer(relayed);
      }
    }
    Buffer bytes = pending;
    pending = null;
    return bytes;
  }

  private void writeHead() {
    if (!response.headWritten()) {
      String contentType = encoder.contentType();
      response.setStatusCode(200).setChunked(true)
          .putHeader(CONTENT_TYPE, "text/event-stream".equals(contentType) ? EVENT_STREAM : contentType)
          .putHeader(CACHE_CONTROL, NO_CACHE)
          .putHeader(ACCEL_BUFFERING, NO);
    }
  }

  /** Ends the stream; bytes still held leave with the end, in one write. */
  @Override
  public void end() {
    Buffer bytes = takePending();
    if (response.closed()) {
      return;
    }
    if (bytes == null) {
      response.end();
    } else {
      writeHead();
      response.end(bytes);
    }
  }

  @Override
  public void answer(UnifiedResponse answer, List<StreamEvent> events) {
    answer(answer, events, null);
  }

  @Override
  public void answer(UnifiedResponse answer, List<StreamEvent> events, Buffer rendered) {
    if (!response.closed()) {
      Buffer body = rendered;
      if (body == null) {
        body = dialect.passThrough(answer, context);
      }
      if (body == null) {
        body = dialect.encodeResponse(answer, context).toBuffer();
      }
      response.setStatusCode(200).putHeader(CONTENT_TYPE, APPLICATION_JSON).end(body);
    }
  }

  @Override
  public void fail(GatewayError error) {
    flush();
    ErrorResponder.send(response, dialect, error);
  }

  @Override
  public boolean started() {
    return pending != null || response.headWritten();
  }

  @Override
  public boolean closed() {
    return response.closed();
  }

  @Override
  public boolean cancelled() {
    return false;
  }

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public void onDrain(Handler<Void> handler) {
    response.drainHandler(handler);
  }

  @Override
  public void onGone(Handler<Void> handler) {
    response.closeHandler(handler);
  }

  @Override
  public void onCancel(Handler<Void> handler) {
  }
}
