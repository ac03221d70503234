package dev.ensemble.metrics;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.Secret;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: the node's registry in the Prometheus text format (or OpenMetrics when the scraper
 * asks for it). Open unless {@code server.metrics_key} is set; then it needs
 * {@code Authorization: Bearer <metrics_key>}, compared in constant time, else 401. Scrapes on the calling
 * event loop: it reads counters and snapshots only.
 */
final class MetricsHandler implements Handler<RoutingContext> {

  private final GatewayMetrics metrics;
  private final byte[] key;
  private final Handler<RoutingContext> scrape;

  MetricsHandler(GatewayMetrics metrics, Secret metricsKey) {
    this.metrics = metrics;
    this.key = metricsKey.value().getBytes(StandardCharsets.UTF_8);
    this.scrape = PrometheusScrapingHandler.create(metrics.registry());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key.length > 0 && !MessageDigest.isEqual(key, bearer(ctx).getBytes(StandardCharsets.UTF_8))) {
      ctx.response().setStatusCode(401).putHeader("content-type", "application/json").putHeader("www-authenticate", "Bearer")
          .end(new JsonObject().put("error", new JsonObject().put("message", "A valid metrics key is required: Authorization: Bearer <metrics key>")
              .put("type", "authentication_error")).toBuffer());
      return;
    }
    // the metrics verticle first counts what it took off the bus since its last drain (at most 100 ms ago)
    ctx.vertx().eventBus().request(Addresses.METRICS_FLUSH, null).onComplete(flushed -> {
      metrics.refresh();
      scrape.handle(ctx);
    });
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
  }
}
