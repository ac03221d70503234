package dev.ensemble.cluster;

import dev.ensemble.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the clustered Vert.x of a {@code serve} process from {@code cluster.config}, a Hazelcast XML file.
 * The cluster manager is found on the class path (vertx-hazelcast registers its own) and reads the file named
 * by the {@value #CONFIG_PROPERTY} system property; this sets that property, and the two that
 * {@code cluster/cluster.xml} uses, from the environment: {@value #MEMBERS_ENV} (comma-separated
 * {@code host[:port]} of the fleet, default {@code 127.0.0.1}) and {@value #NAME_ENV} (default {@code ensemble}).
 * System properties are process-wide, so this is for the one node of a {@code serve} process, not for tests.
 */
public final class HazelcastSetup {

  public static final String CONFIG_PROPERTY = "vertx.hazelcast.config";
  public static final String MEMBERS_ENV = "ENSEMBLE_CLUSTER_MEMBERS";
  public static final String NAME_ENV = "ENSEMBLE_CLUSTER_NAME";
  public static final String EVENT_BUS_HOST_ENV = "ENSEMBLE_CLUSTER_HOST";
  public static final String EVENT_BUS_PORT_ENV = "ENSEMBLE_CLUSTER_PORT";
  static final String MEMBERS_PROPERTY = "ensemble.cluster.members";
  static final String NAME_PROPERTY = "ensemble.cluster.name";

  private HazelcastSetup() {
  }

  /**
   * The Hazelcast file of {@code cluster.config}, resolved against {@code baseDir} (the config file's
   * directory), after checking that it exists and is well-formed XML.
   *
   * @throws ConfigException at {@code cluster.config} when it is missing, unreadable or not XML
   */
  public static Path configFile(String configured, Path baseDir) {
    if (configured == null || configured.isBlank()) {
      throw new ConfigException("cluster.config", "required when cluster.enabled is true");
    }
    Path file = baseDir.resolve(configured).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("cluster.config", "no such file: " + file);
    }
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setNamespaceAware(true);
      var builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler());
      String root = builder.parse(file.toFile()).getDocumentElement().getLocalName();
      if (!"hazelcast".equals(root)) {
        throw new ConfigException("cluster.config", file + ": the root element is <" + root + ">, not a Hazelcast <hazelcast> config");
      }
    } catch (SAXException e) {
      throw new ConfigException("cluster.config", file + " is not valid XML: " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException("cluster.config", "cannot read " + file + ": " + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
    return file;
  }

  /**
   * Vert.x options of a clustered node: the event bus listens on {@value #EVENT_BUS_HOST_ENV} when set (the
   * address other nodes reach this one at), else where Vert.x picks (the cluster manager's host), and on port
   * {@value #EVENT_BUS_PORT_ENV} when set, else a random one.
   *
   * @throws ConfigException when {@value #EVENT_BUS_PORT_ENV} is not a port number
   */
  public static VertxOptions options(Map<String, String> env) {
    EventBusOptions bus = new EventBusOptions();
    String host = env.get(EVENT_BUS_HOST_ENV);
    if (host != null && !host.isBlank()) {
      bus.setHost(host);
    }
    String port = env.get(EVENT_BUS_PORT_ENV);
    if (port != null && !port.isBlank()) {
      try {
        bus.setPort(Integer.parseInt(port.trim()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(EVENT_BUS_PORT_ENV, "must be a port number, got '" + port + "'");
      }
    }
    return new VertxOptions().setEventBusOptions(bus);
  }

  /** Joins the cluster described by {@code hazelcastXml} with a Vert.x built by {@code builder}. */
  public static Future<Vertx> start(VertxBuilder builder, Path hazelcastXml, Map<String, String> env) {
    System.setProperty(CONFIG_PROPERTY, hazelcastXml.toString());
    System.setProperty(MEMBERS_PROPERTY, env.getOrDefault(MEMBERS_ENV, "127.0.0.1"));
    System.setProperty(NAME_PROPERTY, env.getOrDefault(NAME_ENV, "ensemble"));
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    Future<Vertx> joined;
    try {
      joined = builder.buildClustered();
    } catch (RuntimeException e) {
      joined = Future.failedFuture(e);
    }
    return joined.recover(err -> Future.failedFuture(new IllegalStateException(
        "could not join the cluster (" + hazelcastXml + "): " + err.getMessage(), err)));
  }
}
