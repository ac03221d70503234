package dev.ensemble.providers;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;

import java.util.concurrent.TimeoutException;

/**
 * Calls a provider over HTTP with one pooled Vert.x HTTP client (keep-alive, gzip, HTTP/2 by ALPN on TLS).
 * The client belongs to the provider's pool verticle and is closed with it.
 */
public final class HttpUpstreamTransport implements UpstreamTransport {

  private final Vertx vertx;
  private final HttpClientAgent client;

  public HttpUpstreamTransport(Vertx vertx, int maxConnectionsPerHost) {
    this.vertx = vertx;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setConnectTimeout(10_000)
        .setUseAlpn(true)
        .setTcpNoDelay(true);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost));
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    Promise<UpstreamResponse> result = Promise.promise();
    client.request(new RequestOptions().setMethod(method).setAbsoluteURI(absoluteUrl).setHeaders(headers))
        .onFailure(result::tryFail)
        .onSuccess(request -> {
          long timer = vertx.setTimer(firstByteTimeoutMs, t -> {
            if (result.tryFail(new TimeoutException("no response from upstream within " + firstByteTimeoutMs + " ms"))) {
              request.reset();
            }
          });
          request.send(body).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
              HttpClientResponse response = ar.result().pause();
              if (!result.tryComplete(new Response(request, response))) {
                request.reset();
              }
            } else {
              result.tryFail(ar.cause());
            }
          });
        });
    return result.future();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private record Response(HttpClientRequest request, HttpClientResponse response) implements UpstreamResponse {
    @Override
    public int status() {
      return response.statusCode();
    }

    @Override
    public MultiMap headers() {
      return response.headers();
    }

    @Override
    public ReadStream<Buffer> body() {
      return response;
    }

    @Override
    public Future<Buffer> fullBody() {
      return response.resume().body();
    }

    @Override
    public void cancel() {
      request.reset();
    }
  }
}
