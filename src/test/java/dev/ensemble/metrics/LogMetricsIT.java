package dev.ensemble.metrics;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node logs through the ring-buffer appender of {@code logback-test.xml} ({@code ASYNC}); its counters
 * show in {@code /metrics} and in the {@code logging} section of {@code /admin/status}.
 */
class LogMetricsIT {

  private static final String ADMIN_KEY = "admin-logs-0123456789";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake,
      f -> GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, ""));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void metricsShowTheLogBufferAndItsDrops() throws Exception {
    Scrape m = new Scrape(get("/metrics").body());

    assertEquals(65_536, m.value("ensemble_log_queue_capacity", "appender", "ASYNC"), m.text());
    assertTrue(m.has("ensemble_log_queue_depth", "appender", "ASYNC"));
    assertTrue(m.has("ensemble_log_lines_written_total", "appender", "ASYNC"));
    for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
      assertEquals(0, m.value("ensemble_log_lines_dropped_total", "appender", "ASYNC", "level", level), level);
    }
  }

  @Test
  void statusHasALoggingSection() throws Exception {
    HttpResponse<String> r = get("/admin/status");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject logging = new JsonObject(r.body()).getJsonObject("logging");

    assertEquals(true, logging.getBoolean("async"), logging.encode());
    assertEquals(0L, logging.getLong("dropped"));
    JsonArray buffers = logging.getJsonArray("buffers");
    assertEquals(1, buffers.size());
    JsonObject ring = buffers.getJsonObject(0);
    assertEquals("ASYNC", ring.getString("appender"));
    assertEquals(65_536, ring.getInteger("capacity"));
    assertTrue(ring.getLong("offered") >= 1, "the node logged that it listens: " + ring.encode());
    assertEquals(new JsonObject().put("error", 0).put("warn", 0).put("info", 0).put("debug", 0).put("trace", 0),
        ring.getJsonObject("dropped_by_level"));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).header("Authorization", "Bearer " + ADMIN_KEY).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
