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
  void withoutAClusterManagerOnTheClassPathJoiningFailsWithAClearMessage() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(getClass().getClassLoader()
        .getResource("io/vertx/spi/cluster/hazelcast/HazelcastClusterManager.class") == null, "vertx-hazelcast is on the class path");
    var joined = HazelcastSetup.start(io.vertx.core.Vertx.builder(), Path.of("cluster/cluster.xml"), Map.of())
        .toCompletionStage().toCompletableFuture();

    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> joined.get(10, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("io.vertx:vertx-hazelcast is missing"), e.getCause().getMessage());
  }
}
