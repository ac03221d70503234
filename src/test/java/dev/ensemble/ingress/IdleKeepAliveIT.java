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
 * {@code server.idle_timeout_ms} on its own: with heads allowed a minute of silence ({@code header_read_timeout_ms})
 * but an idle keep-alive connection only 300 ms, a connection that stays quiet after its responses is closed by the
 * idle timeout ({@link SlowClientGuard}), however many requests it carried first. Each socket read waits at most 5 s.
 */
class IdleKeepAliveIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> GatewayExtension.standardConfig(f)
      .replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
          "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, header_read_timeout_ms: 60000, idle_timeout_ms: 300 }"));

  @Test
  void aKeepAliveConnectionQuietAfterItsResponsesIsClosedByTheIdleTimeout() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.port(), 5_000)) {
      for (int i = 0; i < 5; i++) {
        raw.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, raw.read().status(), "request " + i + " is served on the same connection");
      }

      assertTrue(raw.closedByServer(), "the idle connection is closed");
    }
  }
}
