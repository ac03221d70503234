package dev.ensemble.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.hazelcast.config.Config;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.XmlConfigBuilder;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The deployable fleet, checked offline: every manifest under {@code k8s/} parses strictly into the fabric8
 * Kubernetes model (a field the model does not know fails, wherever it is nested); the Deployment's probes point
 * at routes the node serves; its grace period outlasts the preStop pause plus the drain timeout of the ConfigMap's
 * config, which loads as a valid Ensemble config; the Hazelcast Kubernetes config turns on DNS discovery; the
 * Dockerfile runs as a non-root user with a health check on the liveness route.
 */
class DeploymentFilesTest {

  private static final Path K8S = Path.of("k8s");
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class, "Secret", Secret.class,
      "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
  private static final Set<String> ROUTES = Set.of("/api/v1/ready", "/api/v1/health");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  private List<HasMetadata> manifests() throws Exception {
    List<HasMetadata> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(K8S)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        out.addAll(parse(file));
      }
    }
    return out;
  }

  private List<HasMetadata> parse(Path file) throws Exception {
    List<HasMetadata> out = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(Files.readString(file))) {
      for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
        String kind = doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        assertNotNull(type, file + ": unexpected kind '" + kind + "'");
        HasMetadata resource = yaml.treeToValue(doc, type);
        List<String> unknown = new ArrayList<>();
        unknownFields(resource, kind, unknown, new IdentityHashMap<>());
        assertTrue(unknown.isEmpty(), file + ": fields the Kubernetes model does not know: " + unknown);
        out.add(resource);
      }
    }
    return out;
  }

  /** Every non-empty {@code additionalProperties} of the model tree: where fabric8 puts fields it does not know. */
  private static void unknownFields(Object node, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) throws Exception {
    if (node == null || seen.put(node, true) != null) {
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        unknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), unknown, seen);
      }
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method m : node.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value = m.invoke(node);
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> unknown.add(path + "." + k));
        }
        continue;
      }
      unknownFields(value, path + "." + decapitalize(m.getName().substring(3)), unknown, seen);
    }
  }

  private static String decapitalize(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private <T> T only(Class<T> type, String name) throws Exception {
    return manifests().stream().filter(type::isInstance).map(type::cast).filter(r -> ((HasMetadata) r).getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void everyManifestParsesStrictly() throws Exception {
    List<HasMetadata> all = manifests();
    Set<String> kinds = new java.util.HashSet<>();
    all.forEach(r -> kinds.add(r.getKind()));
    assertEquals(KINDS.keySet(), kinds, "one of each: Deployment, Services, ConfigMap, Secret, PDB, HPA");
  }

  @Test
  void aMisspelledFieldFailsTheParse() throws Exception {
    Path bad = Files.createTempFile("bad", ".yaml");
    Files.writeString(bad, Files.readString(K8S.resolve("deployment.yaml")).replace("periodSeconds: 10", "periodSecond: 10"));
    AssertionError error = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> parse(bad));
    assertTrue(error.getMessage().contains("livenessProbe.periodSecond"), error.getMessage());
  }

  @Test
  void probesPointAtTheNodesRealRoutes() throws Exception {
    Container node = only(Deployment.class, "ensemble").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("/api/v1/ready", node.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/api/v1/health", node.getLivenessProbe().getHttpGet().getPath());
    for (Probe probe : List.of(node.getReadinessProbe(), node.getLivenessProbe(), node.getStartupProbe())) {
      assertTrue(ROUTES.contains(probe.getHttpGet().getPath()), probe.getHttpGet().getPath());
      assertEquals("http", probe.getHttpGet().getPort().getStrVal());
    }
    assertTrue(node.getPorts().stream().anyMatch(p -> p.getName().equals("http") && p.getContainerPort() == 8080));
  }

  @Test
  void gracePeriodOutlastsThePreStopPauseAndTheDrain() throws Exception {
    Deployment deployment = only(Deployment.class, "ensemble");
    EnsembleConfig config = fleetConfig();
    long preStopSeconds = Long.parseLong(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getLifecycle().getPreStop()
        .getExec().getCommand().get(1));
    long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace > preStopSeconds + config.server().drainTimeoutMs() / 1000,
        "terminationGracePeriodSeconds " + grace + " <= preStop " + preStopSeconds + " s + drain " + config.server().drainTimeoutMs() + " ms");
    assertEquals(8080, config.server().port());
    assertTrue(config.cluster().enabled());
    assertEquals("/opt/ensemble/cluster/cluster-kubernetes.xml", config.cluster().config());
  }

  @Test
  void podsRunAsNonRootAndReadSecretsFromTheSecret() throws Exception {
    var pod = only(Deployment.class, "ensemble").getSpec().getTemplate().getSpec();
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    Secret secret = only(Secret.class, "ensemble-secrets");
    pod.getContainers().get(0).getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
        .forEach(e -> assertTrue(secret.getStringData().containsKey(e.getValueFrom().getSecretKeyRef().getKey()), e.getName()));
    Service hz = only(Service.class, "ensemble-hz");
    assertEquals("None", hz.getSpec().getClusterIP());
    assertTrue(hz.getSpec().getPublishNotReadyAddresses());
  }

  /** The ConfigMap's ensemble.yaml, loaded as a node loads it (the image's catalog path replaced by the repo's). */
  private EnsembleConfig fleetConfig() throws Exception {
    String text = only(ConfigMap.class, "ensemble-config").getData().get("ensemble.yaml")
        .replace("/opt/ensemble/conf/models.yaml", Path.of("conf/models.yaml").toAbsolutePath().toString());
    return new ConfigLoader(Map.of("ENSEMBLE_ADMIN_KEY", "admin-key-0123456789abcdef",
        "ENSEMBLE_ENCRYPTION_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]))).parse(text);
  }

  @Test
  void hazelcastKubernetesConfigDiscoversThePodsThroughTheHeadlessService() throws Exception {
    Properties props = new Properties();
    props.setProperty("ensemble.cluster.name", "ensemble");
    props.setProperty("ensemble.cluster.members", "ensemble-hz.default.svc.cluster.local");
    Config config = new XmlConfigBuilder(new ByteArrayInputStream(Files.readAllBytes(Path.of("cluster/cluster-kubernetes.xml"))))
        .setProperties(props).build();
    KubernetesConfig k8s = config.getNetworkConfig().getJoin().getKubernetesConfig();
    assertTrue(k8s.isEnabled());
    assertEquals("ensemble-hz.default.svc.cluster.local", k8s.getProperty("service-dns"));
    assertFalse(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
  }

  @Test
  void dockerImageRunsAsNonRootWithAHealthCheckOnTheLivenessRoute() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"), StandardCharsets.UTF_8);
    Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(dockerfile);
    assertTrue(user.find() && Integer.parseInt(user.group(1)) != 0, "a numeric non-root USER");
    assertTrue(Pattern.compile("(?m)^FROM .* AS build$").matcher(dockerfile).find(), "multi-stage");
    Matcher health = Pattern.compile("(?s)HEALTHCHECK.*?GET (\\S+) HTTP").matcher(dockerfile);
    assertTrue(health.find() && health.group(1).equals("/api/v1/health"), "HEALTHCHECK on /api/v1/health");
    assertTrue(dockerfile.contains("MaxRAMPercentage"), "container-aware heap");
    assertTrue(dockerfile.contains("exec java"), "java runs as PID 1 and gets SIGTERM");
    if (!dockerfile.contains("ENTRYPOINT")) {
      fail("no ENTRYPOINT");
    }
  }
}
