package dev.ensemble.testing.gateway;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client refuses to send (bad request lines, broken chunked
 * bodies, stalled heads). Reads one response: its head, then a {@code Content-Length} body, or until the server
 * closes. Every read waits at most {@code timeoutMs}.
 */
public final class RawHttp implements AutoCloseable {

  /** One response as read off the socket; {@code status} -1 when the server closed without answering. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(int port, int timeoutMs) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(timeoutMs);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** One request on a fresh connection, answered or closed. */
  public static Response exchange(int port, String request) throws IOException {
    try (RawHttp raw = new RawHttp(port, 10_000)) {
      raw.send(request);
      return raw.read();
    }
  }

  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** The next response's head only (for a 101 upgrade); status -1 if the server closed the connection first. */
  public Response readHead() throws IOException {
    return read(false);
  }

  /**
   * The head of the next WebSocket frame the server sends: {first byte, and for a close frame its status code
   * (else its payload length)}; {-1, -1} when the server closed first.
   */
  public int[] readFrameHead() throws IOException {
    int first = in.read();
    int length = in.read();
    if (first < 0 || length < 0) {
      return new int[] {-1, -1};
    }
    length &= 0x7F;
    if ((first & 0x0F) == 0x8 && length >= 2) {
      return new int[] {first, (in.read() << 8) | in.read()};
    }
    return new int[] {first, length};
  }

  /** The next response; status -1 if the server closed the connection first. */
  public Response read() throws IOException {
    return read(true);
  }

  private Response read(boolean withBody) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return new Response(-1, Map.of(), head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (!withBody) {
      return new Response(status, headers, "");
    }
    String length = headers.get("content-length");
    if (length != null) {
      int n = Integer.parseInt(length);
      while (body.size() < n) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        body.write(b);
      }
    } else {
      int b;
      while ((b = in.read()) >= 0) {
        body.write(b);
      }
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** Whether the server has closed the connection (read sees end of stream); false if it is still open after the timeout. */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public String toString() {
    return socket.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
