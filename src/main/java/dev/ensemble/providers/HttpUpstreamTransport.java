package dev.ensemble.providers;

import dev.ensemble.config.UpstreamHttp;
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
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.streams.ReadStream;

import java.util.concurrent.TimeoutException;

/**
 * Calls a provider over HTTP with pooled Vert.x HTTP clients (keep-alive, gzip). On {@code https} URLs HTTP/2 is
 * offered by ALPN and HTTP/1.1 is spoken when the host does not take it; {@code http} URLs speak HTTP/1.1, or
 * HTTP/2 with prior knowledge when the provider's {@code http.version} is {@code h2c}; {@code http1} keeps every
 * call on HTTP/1.1. Each host:port gets up to {@code http2_connections_per_host} HTTP/2 connections (a new one
 * opens only when the open ones carry as many streams as the host allows) or {@code http1_connections_per_host}
 * HTTP/1.1 ones, so thousands of streams to one host do not queue behind one connection. The clients belong to
 * the provider's pool verticle and are closed with it.
 */
public final class HttpUpstreamTransport implements UpstreamTransport {

  private final Vertx vertx;
  /** For {@code https} URLs. */
  private final HttpClientAgent secure;
  /** For {@code http} URLs; the same client as {@link #secure} when both would be configured alike. */
  private final HttpClientAgent plain;

  public HttpUpstreamTransport(Vertx vertx, UpstreamHttp http) {
    this(vertx, http, null);
  }

  /** With {@code trust} in place of the JVM's default trust (e.g. a test upstream's self-signed certificate); null for the default. */
  public HttpUpstreamTransport(Vertx vertx, UpstreamHttp http, TrustOptions trust) {
    this.vertx = vertx;
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(http.http1ConnectionsPerHost())
        .setHttp2MaxSize(http.http2ConnectionsPerHost());
    HttpVersion overTls = http.version() == UpstreamHttp.Version.HTTP1 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_2;
    HttpVersion cleartext = http.version() == UpstreamHttp.Version.H2C ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1;
    HttpClientOptions secureOptions = options(overTls);
    if (trust != null) {
      secureOptions.setTrustOptions(trust);
    }
    this.secure = vertx.createHttpClient(secureOptions, pool);
    this.plain = overTls == cleartext && trust == null ? secure : vertx.createHttpClient(options(cleartext), pool);
  }

  /** Prior knowledge on cleartext HTTP/2 (no {@code Upgrade: h2c} round trip); on TLS, ALPN offers {@code version} then HTTP/1.1. */
  private static HttpClientOptions options(HttpVersion version) {
    return new HttpClientOptions()
        .setProtocolVersion(version)
        .setHttp2ClearTextUpgrade(false)
        .setUseAlpn(true)
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setConnectTimeout(10_000)
        .setTcpNoDelay(true);
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    Promise<UpstreamResponse> result = Promise.promise();
    HttpClientAgent client = absoluteUrl.regionMatches(true, 0, "https:", 0, 6) ? secure : plain;
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
    return plain == secure ? secure.close() : Future.join(secure.close(), plain.close()).mapEmpty();
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
