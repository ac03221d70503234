package dev.ensemble.cluster;

import dev.ensemble.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HazelcastSetupTest {

  @Test
  void theShippedConfigIsFoundFromTheShippedYamlsDirectory() {
    Path file = HazelcastSetup.configFile("../cluster/cluster.xml", Path.of("conf"));

    assertTrue(file.endsWith(Path.of("cluster", "cluster.xml")));
    assertTrue(file.isAbsolute());
  }

  @Test
  void aMissingFileIsReportedAtClusterConfig(@TempDir Path dir) {
    ConfigException e = assertThrows(ConfigException.class, () -> HazelcastSetup.configFile("cluster/cluster.xml", dir));

    assertEquals("cluster.config", e.path());
    assertTrue(e.problem().startsWith("no such file: "), e.problem());
  }

  @Test
  void aFileThatIsNotXmlIsReportedAtClusterConfig(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("cluster.xml"), "<hazelcast><network></hazelcast>");

    ConfigException e = assertThrows(ConfigException.class, () -> HazelcastSetup.configFile("cluster.xml", dir));

    assertEquals("cluster.config", e.path());
    assertTrue(e.problem().contains("is not valid XML"), e.problem());
  }

  @Test
  void anXmlFileThatIsNotAHazelcastConfigIsRefused(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("cluster.xml"), "<infinispan/>");

    ConfigException e = assertThrows(ConfigException.class, () -> HazelcastSetup.configFile("cluster.xml", dir));

    assertTrue(e.problem().contains("not a Hazelcast <hazelcast> config"), e.problem());
  }

  @Test
  void theEventBusHostAndPortComeFromTheEnvironment() {
    var options = HazelcastSetup.options(Map.of(HazelcastSetup.EVENT_BUS_HOST_ENV, "10.0.0.7", HazelcastSetup.EVENT_BUS_PORT_ENV, "5801"));

    assertEquals("10.0.0.7", options.getEventBusOptions().getHost());
    assertEquals(5801, options.getEventBusOptions().getPort());
    ConfigException e = assertThrows(ConfigException.class, () -> HazelcastSetup.options(Map.of(HazelcastSetup.EVENT_BUS_PORT_ENV, "x")));
    assertEquals(HazelcastSetup.EVENT_BUS_PORT_ENV, e.path());
  }

  @Test
  void theShippedClusterXmlStartsARealHazelcastMember() throws Exception {
    Path xml = HazelcastSetup.configFile("cluster/cluster.xml", Path.of("").toAbsolutePath());
    io.vertx.core.Vertx vertx = HazelcastSetup.start(io.vertx.core.Vertx.builder().with(HazelcastSetup.options(Map.of(
            HazelcastSetup.EVENT_BUS_HOST_ENV, "127.0.0.1"))), xml,
            Map.of(HazelcastSetup.MEMBERS_ENV, "127.0.0.1", HazelcastSetup.NAME_ENV, "ensemble-test-" + java.util.UUID.randomUUID()))
        .toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    try {
      assertTrue(vertx.isClustered());
      assertEquals(1, ClusterMembership.of(vertx).members().size());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
