package dev.ensemble.bench.hop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.impl.headers.Http2HeadersAdaptor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ThreadLocalRandom;

/**
 * CPU per HTTP/2 response head on one thread: the headers set through Vert.x's {@code Http2HeadersAdaptor} (what
 * {@code HttpServerResponse.putHeader} does on an HTTP/2 stream: validation, lower-casing, Netty's
 * {@code DefaultHttp2Headers}) and HPACK-encoded by one long-lived Netty encoder (one per connection, as on a
 * server), with a new request id per response. Variants: {@code hop} (what the Vert.x hop answers: the stub's
 * content-type and the content-length), {@code strings} (the gateway's head as {@code HttpChannel}/{@code Admission}
 * set it before: mixed-case {@code String} names), {@code ascii} (the same head with lower-case {@code AsciiString}
 * names made once), {@code routing-values} (as the gateway sets it since {@code RoutingHeaders}: those names, the
 * routing headers' values as {@code AsciiString}s made once, the request id a new {@code String}), {@code ascii-values}
 * and {@code ascii-id} (the request id too as an {@code AsciiString}, from a {@code String} or from bytes), {@code fixed-id}
 * (the same request id on every response: what the dynamic table's churn costs, for comparison only). With
 * {@code connections} > 1 the heads go to that many encoders in turn, each with its own dynamic table, as the responses
 * of that many h2c connections do (colder caches). Rounds alternate the variants in one JVM; the figure is ns of the
 * thread's CPU per head.
 *
 * <p>Usage: {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.H2HeadersCost [n] [rounds]
 * [connections] [variant,...]}.
 */
public final class H2HeadersCost {

  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final String[] STRING_NAMES = {"X-Ensemble-Request-Id", "X-Ensemble-Provider", "X-Ensemble-Endpoint",
      "X-Ensemble-Route-Reason", "X-Ensemble-Attempts"};
  private static final CharSequence[] ASCII_NAMES = {AsciiString.cached("x-ensemble-request-id"),
      AsciiString.cached("x-ensemble-provider"), AsciiString.cached("x-ensemble-endpoint"),
      AsciiString.cached("x-ensemble-route-reason"), AsciiString.cached("x-ensemble-attempts")};
  private static final String[] ENDPOINTS = {"openai-0", "openai-1", "openai-2", "openai-3"};
  private static final CharSequence[] ENDPOINT_VALUES = {AsciiString.cached("openai-0"), AsciiString.cached("openai-1"),
      AsciiString.cached("openai-2"), AsciiString.cached("openai-3")};
  private static final CharSequence PROVIDER = AsciiString.cached("stub_openai");
  private static final CharSequence REASON = AsciiString.cached("session_affinity");
  private static final CharSequence ONE = AsciiString.cached("1");

  private H2HeadersCost() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    String[] variants = args.length > 3 ? args[3].split(",") : new String[] {"hop", "strings", "ascii", "ascii-values", "ascii-id", "fixed-id"};
    long sink = 0;
    for (int round = 1; round <= rounds; round++) {
      StringBuilder line = new StringBuilder("round " + round + ":");
      for (String variant : variants) {
        DefaultHttp2HeadersEncoder[] encoders = new DefaultHttp2HeadersEncoder[connections];
        for (int c = 0; c < connections; c++) {
          encoders[c] = new DefaultHttp2HeadersEncoder();
        }
        ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer(1024);
        long start = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
          sink += head(variant, encoders[i % connections], out, i);
          out.clear();
        }
        long ns = cpu.getCurrentThreadCpuTime() - start;
        out.release();
        line.append(String.format(" %s %.0f ns", variant, (double) ns / n));
      }
      System.out.println(line);
    }
    System.out.println("(sink " + sink + ")");
  }

  private static int head(String variant, DefaultHttp2HeadersEncoder encoder, ByteBuf out, int i) throws Http2Exception {
    Http2Headers headers = new DefaultHttp2Headers();
    MultiMap map = new Http2HeadersAdaptor(headers);
    String length = "212";
    switch (variant) {
      case "hop" -> map.set("content-type", "application/json");
      case "strings" -> {
        map.set(STRING_NAMES[0], requestId());
        map.set(STRING_NAMES[1], "stub_openai").set(STRING_NAMES[2], ENDPOINTS[i & 3])
            .set(STRING_NAMES[3], "session_affinity").set(STRING_NAMES[4], Integer.toString(1));
        map.set(CONTENT_TYPE, JSON);
      }
      case "routing-values" -> {
        map.set(ASCII_NAMES[0], requestId());
        map.set(ASCII_NAMES[1], PROVIDER).set(ASCII_NAMES[2], ENDPOINT_VALUES[i & 3])
            .set(ASCII_NAMES[3], REASON).set(ASCII_NAMES[4], ONE);
        map.set(CONTENT_TYPE, JSON);
      }
      case "ascii-id" -> {
        map.set(ASCII_NAMES[0], new AsciiString(requestIdBytes(), false));
        map.set(ASCII_NAMES[1], PROVIDER).set(ASCII_NAMES[2], ENDPOINT_VALUES[i & 3])
            .set(ASCII_NAMES[3], REASON).set(ASCII_NAMES[4], ONE);
        map.set(CONTENT_TYPE, JSON);
      }
      case "fixed-id" -> {
        map.set(ASCII_NAMES[0], FIXED_ID);
        map.set(ASCII_NAMES[1], PROVIDER).set(ASCII_NAMES[2], ENDPOINT_VALUES[i & 3])
            .set(ASCII_NAMES[3], REASON).set(ASCII_NAMES[4], ONE);
        map.set(CONTENT_TYPE, JSON);
      }
      case "ascii-values" -> {
        map.set(ASCII_NAMES[0], new AsciiString(requestId()));
        map.set(ASCII_NAMES[1], PROVIDER).set(ASCII_NAMES[2], ENDPOINT_VALUES[i & 3])
            .set(ASCII_NAMES[3], REASON).set(ASCII_NAMES[4], ONE);
        map.set(CONTENT_TYPE, JSON);
      }
      default -> {
        map.set(ASCII_NAMES[0], requestId());
        map.set(ASCII_NAMES[1], "stub_openai").set(ASCII_NAMES[2], ENDPOINTS[i & 3])
            .set(ASCII_NAMES[3], "session_affinity").set(ASCII_NAMES[4], Integer.toString(1));
        map.set(CONTENT_TYPE, JSON);
      }
    }
    headers.set(HttpHeaders.CONTENT_LENGTH, length);
    headers.status("200");
    encoder.encodeHeaders(1 + 2 * i, headers, out);
    return out.readableBytes();
  }

  private static final CharSequence FIXED_ID = AsciiString.cached("01jf3k2m9q8r7s6t5v4w3x2y1z");

  private static byte[] requestIdBytes() {
    byte[] out = new byte[26];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) ('a' + random.nextInt(26));
    }
    return out;
  }

  private static String requestId() {
    char[] out = new char[26];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < out.length; i++) {
      out[i] = (char) ('a' + random.nextInt(26));
    }
    return new String(out);
  }
}
