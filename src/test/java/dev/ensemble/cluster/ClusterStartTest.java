package dev.ensemble.cluster;

import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.node.Gateway;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClusterStartTest {

  @Test
  void aNodeConfiguredForAClusterRefusesAVertxThatIsNotClustered() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var config = new ConfigLoader(Map.of()).parse("""
          server: { host: 127.0.0.1, port: 0 }
          cluster: { enabled: true }
          """);

      ExecutionException e = assertThrows(ExecutionException.class,
          () -> Gateway.start(vertx, config).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));

      ConfigException cause = assertInstanceOf(ConfigException.class, e.getCause());
      assertEquals("cluster.enabled", cause.path());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
