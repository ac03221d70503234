package dev.ensemble.ingress;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.gateway.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oversized and malformed messages on {@code /v1/ws} ({@code max_body_bytes} 65,536): the client is told, by a
 * close frame with a code and a reason or by an {@code error} event, never left waiting or cut off silently.
 * Compression is not negotiated, so no message can inflate past the limit after it was admitted.
 */
class WebSocketLimitsIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.against(fake);

  @Test
  void aMessageOverTheLimitIsClosedWith1009AndAReason() throws Exception {
    try (RawHttp raw = upgraded()) {
      raw.send(maskedFrame(0x81, frame("big", "x".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8)));

      int[] close = raw.readFrameHead();
      assertEquals(0x88, close[0], "a close frame");
      assertEquals(1009, close[1]);
    }
  }

  @Test
  void aMessageOverTheLimitInFramesEachUnderItIsClosedWith1009() throws Exception {
    try (RawHttp raw = upgraded()) {
      byte[] half = ("{\"type\":\"request\",\"id\":\"frag\",\"format\":\"openai\",\"body\":{\"x\":\"" + "y".repeat(50_000))
          .getBytes(StandardCharsets.UTF_8);
      raw.send(maskedFrame(0x01, half));
      raw.send(maskedFrame(0x00, "z".repeat(50_000).getBytes(StandardCharsets.UTF_8)));
      raw.send(maskedFrame(0x80, "\"}}".getBytes(StandardCharsets.UTF_8)));

      int[] close = raw.readFrameHead();
      assertEquals(0x88, close[0], "a close frame");
      assertEquals(1009, close[1]);
    }
  }

  @Test
  void compressionIsNotNegotiatedSoNoMessageCanInflatePastTheLimit() throws Exception {
    try (RawHttp raw = new RawHttp(gateway.port(), 10_000)) {
      RawHttp.Response upgrade = upgrade(raw);
      assertEquals(101, upgrade.status());
      assertNull(upgrade.header("sec-websocket-extensions"), "no compression extension accepted");

      // a client that compresses anyway (RSV1 set): a protocol error, told with a close frame
      byte[] payload = "{\"type\":\"cancel\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
      raw.send(maskedFrame(0xC1, payload));
      int[] close = raw.readFrameHead();
      assertEquals(0x88, close[0], "a close frame");
      assertEquals(1002, close[1]);
    }
  }

  @Test
  void aRequestIdThatIsNotValidUnicodeIsAnErrorNamingId() throws Exception {
    Listener listener = new Listener();
    WebSocket ws = connect(listener);

    ws.sendText("{\"type\":\"request\",\"id\":\"\\ud800\",\"format\":\"openai\",\"body\":{}}", true);

    JsonObject error = listener.next.get(10, TimeUnit.SECONDS);
    assertEquals("error", error.getString("type"), error.encode());
    assertTrue(error.getJsonObject("error").getString("message").startsWith("id:"), error.encode());
    assertFalse(error.encode().contains("\"?\""), error.encode());
  }

  private static String frame(String id, String text) {
    return new JsonObject().put("type", "request").put("id", id).put("format", "openai")
        .put("body", new JsonObject().put("model", "gpt-test").put("messages",
            new JsonArray().add(new JsonObject().put("role", "user").put("content", text)))).encode();
  }

  private static RawHttp upgraded() throws Exception {
    RawHttp raw = new RawHttp(gateway.port(), 10_000);
    assertEquals(101, upgrade(raw).status());
    return raw;
  }

  /** Asks to upgrade, offering per-message compression as browsers do. */
  private static RawHttp.Response upgrade(RawHttp raw) throws Exception {
    raw.send("GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");
    return raw.readHead();
  }

  private static byte[] maskedFrame(int first, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    byte[] mask = {1, 2, 3, 4};
    out.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    return out.toByteArray();
  }

  private static WebSocket connect(Listener listener) throws Exception {
    return HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/ws"), listener).get(10, TimeUnit.SECONDS);
  }

  private static final class Listener implements WebSocket.Listener {
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final CompletableFuture<JsonObject> next = new CompletableFuture<>();
    volatile String closeReason;
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        next.complete(new JsonObject(text.toString()));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closeReason = reason;
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closeCode.complete(-1);
    }
  }
}
