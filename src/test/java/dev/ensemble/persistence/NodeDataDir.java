package dev.ensemble.persistence;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.node.Gateway;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node's data folder (its SQLite file and local response store) on which a test stops and starts nodes of a
 * mock model, one after another, all on one Vert.x instance. Owned by one test method; close it after the test.
 */
final class NodeDataDir implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final String adminKey;
  private final Path dir;
  private final Path db;

  NodeDataDir(String name, String adminKey) {
    this.adminKey = adminKey;
    this.dir = Path.of(GatewayExtension.scratchDir(name));
    this.db = dir.resolve("state").resolve("ensemble.db");
  }

  Path dir() {
    return dir;
  }

  /** The node's SQLite file. */
  Path db() {
    return db;
  }

  /** A node on this folder, listening on a free port. */
  Gateway start() throws Exception {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse("""
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        storage: { sqlite_path: %s }
        responses: { local_dir: %s }
        providers:
          mock: { type: mock, keys: [ { name: local, endpoints: [ { id: mock-1 } ] } ] }
        models:
          mock-1: { providers: [ { provider: mock } ] }
        """.formatted(adminKey, db, dir.resolve("responses")));
    return await(Gateway.start(vertx, config));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(vertx.close());
  }
}
