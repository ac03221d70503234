package dev.ensemble.bench.hop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Time to the first SSE event and to the end of the stream, one request at a time (c = 1) over one kept-alive
 * HTTP/1.1 connection, for {@code bench/side-by-side.sh}. wrk and h2load time whole responses only.
 *
 * <p>Usage: {@code FirstEvent <port> <path> <body file> <seconds> [<header: value> ...]}; prints one line
 * {@code count=N ttfe_p50_us=.. ttfe_p99_us=.. total_p50_us=.. total_p99_us=..}. A request's first event is the
 * first body byte sequence {@code data:}; its end is {@code Content-Length} bytes or the last chunk of a chunked
 * body. The first second is warm-up and not counted. Bounded by {@code seconds}.
 */
public final class FirstEvent {

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    String path = args[1];
    byte[] body = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[2]));
    long seconds = Long.parseLong(args[3]);
    StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: " + body.length + "\r\n");
    for (int i = 4; i < args.length; i++) {
      head.append(args[i]).append("\r\n");
    }
    head.append("\r\n");
    byte[] request = concat(head.toString().getBytes(StandardCharsets.US_ASCII), body);
    long[] ttfe = new long[1 << 20];
    long[] total = new long[1 << 20];
    int n = 0;
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    long end = warmEnd + seconds * 1_000_000_000L;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[1 << 16];
      while (System.nanoTime() < end && n < ttfe.length) {
        long start = System.nanoTime();
        out.write(request);
        out.flush();
        long first = -1;
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        int headerEnd = -1;
        long contentLength = -1;
        boolean chunked = false;
        while (true) {
          int r = in.read(buf);
          if (r < 0) {
            throw new IOException("connection closed mid-response after " + seen.size() + " bytes");
          }
          seen.write(buf, 0, r);
          byte[] all = seen.toByteArray();
          if (headerEnd < 0) {
            headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
            if (headerEnd < 0) {
              continue;
            }
            headerEnd += 4;
            String headers = new String(all, 0, headerEnd, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            if (!headers.startsWith("http/1.1 200")) {
              throw new IOException("not a 200: " + headers.lines().findFirst().orElse(""));
            }
            chunked = headers.contains("transfer-encoding: chunked");
            int cl = headers.indexOf("content-length:");
            if (cl >= 0) {
              contentLength = Long.parseLong(headers.substring(cl + 15, headers.indexOf('\r', cl)).trim());
            }
          }
          if (first < 0 && indexOf(all, "data:".getBytes(StandardCharsets.US_ASCII), headerEnd) >= 0) {
            first = System.nanoTime();
          }
          boolean done = chunked
              ? all.length >= 5 && indexOf(all, "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headerEnd - 2) >= 0
              : contentLength >= 0 && all.length - headerEnd >= contentLength;
          if (done) {
            break;
          }
        }
        long stop = System.nanoTime();
        if (start >= warmEnd) {
          ttfe[n] = (first - start) / 1000;
          total[n] = (stop - start) / 1000;
          n++;
        }
      }
    }
    long[] t = Arrays.copyOf(ttfe, n);
    long[] w = Arrays.copyOf(total, n);
    Arrays.sort(t);
    Arrays.sort(w);
    System.out.printf(Locale.ROOT, "count=%d ttfe_p50_us=%d ttfe_p99_us=%d total_p50_us=%d total_p99_us=%d%n",
        n, pct(t, 0.50), pct(t, 0.99), pct(w, 0.50), pct(w, 0.99));
  }

  private static long pct(long[] sorted, double q) {
    return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
