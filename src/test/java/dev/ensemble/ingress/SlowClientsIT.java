package dev.ensemble.ingress;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.gateway.RawHttp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients too slow to send a request cannot hold a connection: a node with {@code server.header_read_timeout_ms},
 * {@code body_read_timeout_ms} and {@code idle_timeout_ms} of 300 ms closes an unfinished head, a stalled body
 * (after a 408 in the route's format) and an idle keep-alive connection. Each socket read waits at most 5 s.
 */
class SlowClientsIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> GatewayExtension.standardConfig(f)
      .replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
          "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, header_read_timeout_ms: 300, body_read_timeout_ms: 300, idle_timeout_ms: 300 }"));

  @Test
  void anUnfinishedRequestHeadThatStopsIsClosed() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.port(), 5_000)) {
      raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");

      assertTrue(raw.closedByServer(), "the connection is closed");
    }
  }

  @Test
  void aStalledBodyGets408InTheRoutesFormatAndIsClosed() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.port(), 5_000)) {
      raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

      RawHttp.Response response = raw.read();
      assertEquals(408, response.status(), response.body());
      assertEquals("error", response.json().getString("type"), "Anthropic's error shape");
      assertTrue(raw.closedByServer(), "the connection is closed");
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsResponse() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.port(), 5_000)) {
      raw.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.read().status());
      raw.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.read().status(), "a prompt next request is served on the same connection");

      assertTrue(raw.closedByServer(), "the idle connection is closed");
    }
  }
}
