package dev.ensemble.ingress;

import dev.ensemble.loop.LoopDeadlines;
import dev.ensemble.loop.Timeout;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Reads the whole body of a JSON route as bytes, whatever its {@code Content-Type} says: {@code curl -d} sends
 * JSON as {@code application/x-www-form-urlencoded}, and a body is never parsed as a form or a multipart
 * upload, so its size alone decides whether it is read (Vert.x-Web's {@code BodyHandler} would decode form
 * types and fail on a form field over its attribute limit). A body over {@code maxBytes} fails with 413 (at
 * once when {@code Content-Length} says so); a {@code Content-Encoding} other than {@code identity} fails with
 * 415 (bodies are not decompressed: nothing a client sends can inflate past the limit); a body cut short or
 * badly chunked fails with 400; a body still incomplete {@code server.body_read_timeout_ms} after the head
 * fails with 408 and the connection is closed (a {@link LoopDeadlines} timeout, not a timer per request). The bytes become {@code ctx.body()} for the handlers after it. One instance per
 * route, stateless; each request's buffer is confined to its connection's event loop.
 */
public final class JsonBodyReader implements Handler<RoutingContext> {

  /** Why a body was refused before it reached a handler; the failure handler turns it into the client's error. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final long maxBytes;
  private final long timeoutMs;

  /** Reads bodies of at most {@code maxBytes}, arriving within {@code timeoutMs} of their head. */
  public JsonBodyReader(long maxBytes, long timeoutMs) {
    this.maxBytes = maxBytes;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    read(ctx, RoutingContext::next);
  }

  /**
   * Reads the body, then hands the request to {@code then} (on the event loop, at once or when the body ended); a
   * refusal fails the request, and so does whatever {@code then} throws, as the router would have it.
   */
  void read(RoutingContext ctx, Handler<RoutingContext> then) {
    HttpServerRequest request = ctx.request();
    String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      ctx.fail(415, new Refused("Content-Encoding '" + encoding.trim() + "' is not accepted; send the request body uncompressed"));
      return;
    }
    long declared = contentLength(request);
    if (declared > maxBytes) {
      ctx.fail(413);
      return;
    }
    if (request.isEnded()) {
      ((RoutingContextInternal) ctx).setBody(Buffer.buffer());
      then.handle(ctx);
      return;
    }
    if (request.version() == HttpVersion.HTTP_1_1 && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue();
    }
    Body body = new Body(declared);
    Timeout timer = LoopDeadlines.arm(ctx.vertx(), timeoutMs, expired -> {
      if (!body.failed) {
        body.failed = true;
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.fail(408, new Refused("The request body did not arrive within " + timeoutMs + " ms"));
      }
    });
    request.handler(chunk -> {
      if (body.failed) {
        return;
      }
      if (body.length() + (long) chunk.length() > maxBytes) {
        body.failed = true;
        timer.cancel();
        ctx.fail(413);
        return;
      }
      body.add(chunk);
    });
    request.exceptionHandler(e -> {
      timer.cancel();
      if (!body.failed) {
        body.failed = true;
        ctx.fail(400, new Refused("The request body could not be read: " + describe(e)));
      }
    });
    request.endHandler(v -> {
      timer.cancel();
      if (!body.failed) {
        ((RoutingContextInternal) ctx).setBody(body.whole());
        try {
          then.handle(ctx);
        } catch (RuntimeException e) {
          ctx.fail(e);
        }
      }
    });
    request.resume();
  }

  /**
   * A body being read: a body that arrives in one chunk (the usual small JSON body) is kept as that chunk, without a copy;
   * a second chunk starts a buffer of them all.
   */
  private static final class Body {
    private final long declared;
    private Buffer first;
    private Buffer all;
    boolean failed;

    Body(long declared) {
      this.declared = declared;
    }

    int length() {
      return all != null ? all.length() : first != null ? first.length() : 0;
    }

    void add(Buffer chunk) {
      if (all != null) {
        all.appendBuffer(chunk);
      } else if (first == null) {
        first = chunk;
      } else {
        all = Buffer.buffer((int) Math.min(Math.max(declared, first.length() + chunk.length()), 65_536)).appendBuffer(first).appendBuffer(chunk);
        first = null;
      }
    }

    Buffer whole() {
      return all != null ? all : first != null ? first : Buffer.buffer();
    }
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String describe(Throwable e) {
    String name = e.getClass().getSimpleName();
    return name.contains("Closed") ? "the connection closed before the body ended" : "the body is malformed (bad chunked encoding or cut short)";
  }
}
