package dev.ensemble.bench.fleet;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.node.Gateway;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * How fast the fleet's shared state travels, in a 3-node fleet of real Hazelcast members in one JVM (loopback only,
 * built-in mock provider):
 * <ol>
 *   <li>admin change: {@code POST /admin/clients} on node i%3, timed to its answer (which waits until every member
 *       has the client in force), then the new key is tried at once on the two other nodes (must be 200);</li>
 *   <li>spend: one priced request of a budgeted client on node i%3, then node (i+1)%3's {@code /admin/clients} is read
 *       until it shows the new spend: the delay that bounds a budget's overshoot.</li>
 * </ol>
 * {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.fleet.FleetPropagation [changes]} (default 100).
 */
public final class FleetPropagation {

  private static final String ADMIN = "bench-admin-key";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    String cluster = "bench-" + UUID.randomUUID();
    List<Integer> ports = List.of(freePort(), freePort(), freePort());
    List<Vertx> vertxes = new ArrayList<>();
    List<Gateway> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
            .withClusterManager(member(cluster, ports, i)).buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        vertxes.add(vertx);
        String dir = Files.createTempDirectory("ensemble-fleet-bench-").toString();
        nodes.add(Gateway.start(vertx, new ConfigLoader(Map.of()).parse("""
            server: { host: 127.0.0.1, port: 0, admin_key: %s, require_client_keys: true }
            storage: { sqlite_path: %s/ensemble.db }
            responses: { local_dir: %s/responses }
            cluster: { enabled: true }
            providers:
              mock: { type: mock, keys: [ { name: local, endpoints: [ { id: mock-1 } ] } ] }
            models:
              priced: { pricing: { input: 1000.0, output: 1000.0 }, providers: [ { provider: mock, model: mock-echo } ] }
            """.formatted(ADMIN, dir, dir))).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
      }
      adminChanges(nodes, changes);
      spend(nodes, changes);
    } finally {
      for (Gateway g : nodes) {
        g.stop().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
      }
      for (Vertx v : vertxes) {
        v.close().toCompletionStage().toCompletableFuture().handle((x, e) -> null).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void adminChanges(List<Gateway> nodes, int changes) throws Exception {
    for (int warm = 0; warm < 10; warm++) {
      post(nodes.get(warm % 3), "/admin/clients", ADMIN, new JsonObject().put("name", "warm-" + warm));
    }
    long[] micros = new long[changes];
    int notYet = 0;
    for (int i = 0; i < changes; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> created = post(nodes.get(i % 3), "/admin/clients", ADMIN, new JsonObject().put("name", "c-" + i));
      micros[i] = (System.nanoTime() - t0) / 1_000;
      if (created.statusCode() != 201) {
        throw new IllegalStateException(created.body());
      }
      String key = new JsonObject(created.body()).getString("key");
      for (int other = 1; other < 3; other++) {
        if (get(nodes.get((i + other) % 3), "/v1/models", key).statusCode() != 200) {
          notYet++;
        }
      }
    }
    System.out.printf("admin change (POST /admin/clients answered = in force on all 3 nodes), %d changes: %s; key refused right after"
        + " the answer on another node: %d of %d tries%n", changes, percentiles(micros), notYet, 2 * changes);
  }

  private static void spend(List<Gateway> nodes, int changes) throws Exception {
    JsonObject client = new JsonObject(post(nodes.get(0), "/admin/clients", ADMIN, new JsonObject().put("name", "spender")
        .put("monthly_budget_usd", 1_000_000)).body());
    String key = client.getString("key");
    JsonObject chat = new JsonObject().put("model", "priced")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "one two three")));
    long[] micros = new long[changes];
    long maxPolls = 0;
    for (int i = 0; i < changes; i++) {
      Gateway from = nodes.get(i % 3);
      Gateway to = nodes.get((i + 1) % 3);
      String before = spent(to, client.getString("id"));
      HttpResponse<String> served = post(from, "/v1/chat/completions", key, chat);
      if (served.statusCode() != 200) {
        throw new IllegalStateException(served.body());
      }
      long t0 = System.nanoTime();
      long polls = 0;
      while (spent(to, client.getString("id")).equals(before)) {
        polls++;
        if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) {
          throw new IllegalStateException("spend did not arrive in 10 s");
        }
      }
      micros[i] = (System.nanoTime() - t0) / 1_000;
      maxPolls = Math.max(maxPolls, polls);
    }
    System.out.printf("spend seen by another node after the answer, %d requests: %s (SpendBoard publishes every 250 ms)%n", changes,
        percentiles(micros));
  }

  private static String spent(Gateway node, String id) throws Exception {
    for (Object c : new JsonObject(get(node, "/admin/clients", ADMIN).body()).getJsonArray("clients")) {
      if (id.equals(((JsonObject) c).getString("id"))) {
        return ((JsonObject) c).getString("spent_this_month_usd");
      }
    }
    return "";
  }

  private static String percentiles(long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    return String.format("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99),
        sorted[sorted.length - 1] / 1000.0);
  }

  private static double at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
  }

  private static HttpResponse<String> post(Gateway node, String path, String key, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json").timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(Gateway node, String path, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).header("authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HazelcastClusterManager member(String name, List<Integer> ports, int index) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(name);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(ports.get(index)).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    return new HazelcastClusterManager(config);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
