package dev.ensemble.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code ensemble.yaml}: YAML (Jackson) to a tree, {@code ${VAR}} expansion in scalars, strict reading
 * into records (unknown keys and bad values fail with their YAML path), then cross-reference checks.
 */
public final class ConfigLoader {

  /** Headers every upstream call gets from the gateway itself (framing and content negotiation). */
  private static final java.util.Set<String> GATEWAY_HEADERS = java.util.Set.of("host", "content-length", "content-type",
      "transfer-encoding", "connection", "accept");

  private final EnvExpander env;

  public ConfigLoader(Map<String, String> environment) {
    this.env = new EnvExpander(environment);
  }

  /** Reads {@code file}; a {@code catalog:} path in it is resolved against the file's directory. */
  public EnsembleConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, dir == null ? Path.of("") : dir);
  }

  /** Parses config text; a {@code catalog:} path in it is resolved against the working directory. */
  public EnsembleConfig parse(String yaml) {
    return parse(yaml, Path.of(""));
  }

  private EnsembleConfig parse(String yaml, Path baseDir) {
    ConfigNode top = new ConfigNode(readTree(yaml), "", env)
        .allow("server", "storage", "responses", "redis", "cluster", "catalog", "providers", "models", "routes", "response_cache");
    Catalog catalog = catalog(top, baseDir);
    CacheDefaults cacheDefaults = CacheDefaults.builtIn(catalog.cacheDefaults());
    Map<String, ProviderConfig> providers = new LinkedHashMap<>();
    top.entries("providers").forEach((name, node) -> providers.put(name, provider(name, node, cacheDefaults)));
    Map<String, DeclaredModel> declared = new LinkedHashMap<>();
    top.entries("models").forEach((name, node) -> declared.put(name, model(name, node)));
    Map<String, ModelConfig> models = new ModelResolver(providers).resolve(declared, catalog);
    Map<String, RouteConfig> routes = new LinkedHashMap<>();
    ServerConfig server = server(top.object("server"));
    top.entries("routes").forEach((name, node) -> routes.put(name, route(name, node, server.requestTimeoutMs())));
    Map<String, ResponseCacheConfig> modelCaches = new LinkedHashMap<>();
    top.entries("models").forEach((name, node) -> {
      if (node.has("response_cache")) {
        modelCaches.put(name, responseCache(node.object("response_cache"), "response_cache"));
      }
    });
    EnsembleConfig config = new EnsembleConfig(server, storage(top.object("storage")),
        responses(top.object("responses")), redis(top.object("redis")), cluster(top.object("cluster")),
        providers, models, routes, cacheConfig(top.object("response_cache"), modelCaches));
    crossCheck(config);
    return config;
  }

  private Catalog catalog(ConfigNode top, Path baseDir) {
    String path = top.string("catalog", "");
    if (path.isBlank()) {
      return Catalog.EMPTY;
    }
    return new CatalogLoader(env).load(baseDir.resolve(path), path);
  }

  /** YAML text to a tree, rejecting duplicate keys; syntax errors become one-line {@link ConfigException}s. */
  static JsonNode readTree(String yaml) {
    try {
      return new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(yaml);
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    }
  }

  /** One line naming where the YAML broke, without the parser's multi-line excerpt of the file. */
  private static ConfigException syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      return new ConfigException("", "not valid YAML at line " + (m.getProblemMark().getLine() + 1) + ", column "
          + (m.getProblemMark().getColumn() + 1) + ": " + m.getProblem());
    }
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field") && e.getProcessor() instanceof JsonParser p) {
      return new ConfigException(yamlPath(p.getParsingContext()), "duplicate key (line " + line + ")");
    }
    String firstLine = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    return new ConfigException("", "not valid YAML at line " + line + ": " + firstLine);
  }

  private static String yamlPath(JsonStreamContext context) {
    StringBuilder path = new StringBuilder();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        path.insert(0, "[" + c.getCurrentIndex() + "]");
      } else if (c.getCurrentName() != null) {
        path.insert(0, (c.getParent() != null && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
      }
    }
    return path.toString();
  }

  /** The smallest journal bound: room for the records of a few long answers in flight. */
  private static final long MIN_JOURNAL_BYTES = 1024 * 1024;

  private static long nonNegative(ConfigNode n, String key, long defaultValue) {
    long v = n.integer(key, defaultValue);
    if (v < 0) {
      throw new ConfigException(n.pathOf(key), "must be >= 0");
    }
    return v;
  }

  private ServerConfig server(ConfigNode n) {
    n.allow("host", "port", "max_body_bytes", "admin_key", "require_client_keys", "allow_anonymous", "metrics_key", "request_timeout_ms",
        "header_read_timeout_ms", "body_read_timeout_ms", "idle_timeout_ms", "drain_timeout_ms", "drain_grace_ms");
    long port = n.integer("port", 8080);
    if (port < 0 || port > 65535) {
      throw new ConfigException(n.pathOf("port"), "must be between 0 and 65535");
    }
    ServerConfig s = new ServerConfig(n.string("host", "127.0.0.1"), (int) port, n.positive("max_body_bytes", 10 * 1024 * 1024),
        n.secret("admin_key"), n.bool("require_client_keys", false), n.bool("allow_anonymous", false), n.secret("metrics_key"),
        n.positive("request_timeout_ms", ServerConfig.DEFAULT_REQUEST_TIMEOUT_MS),
        timeout(n, "header_read_timeout_ms", ServerConfig.DEFAULT_HEADER_READ_TIMEOUT_MS),
        timeout(n, "body_read_timeout_ms", ServerConfig.DEFAULT_BODY_READ_TIMEOUT_MS),
        timeout(n, "idle_timeout_ms", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS),
        n.positive("drain_timeout_ms", ServerConfig.DEFAULT_DRAIN_TIMEOUT_MS), nonNegative(n, "drain_grace_ms", ServerConfig.DEFAULT_DRAIN_GRACE_MS));
    if (s.drainGraceMs() >= s.drainTimeoutMs()) {
      throw new ConfigException(n.pathOf("drain_grace_ms"), "must be less than server.drain_timeout_ms (" + s.drainTimeoutMs() + ")");
    }
    if (!s.isLoopback() && !s.requireClientKeys() && !s.allowAnonymous()) {
      throw new ConfigException(n.pathOf("require_client_keys"),
          "must be true when server.host is not a loopback address (" + s.host() + "); set server.allow_anonymous: true to serve anonymous clients on purpose");
    }
    return s;
  }

  /** A slow-client timeout: more than 0, at most a day. */
  private static long timeout(ConfigNode n, String key, long defaultValue) {
    long value = n.positive(key, defaultValue);
    if (value > 86_400_000L) {
      throw new ConfigException(n.pathOf(key), "must be at most 86400000 (a day)");
    }
    return value;
  }

  private StorageConfig storage(ConfigNode n) {
    n.allow("sqlite_path", "encryption_key");
    String sqlitePath = n.string("sqlite_path", "data/ensemble.db");
    if (sqlitePath.isBlank()) {
      throw new ConfigException(n.pathOf("sqlite_path"), "must not be empty (the SQLite file, e.g. data/ensemble.db)");
    }
    return new StorageConfig(sqlitePath, n.secret("encryption_key"));
  }

  private ResponsesConfig responses(ConfigNode n) {
    n.allow("store", "local_dir", "s3", "max_pending", "journal", "retention_days");
    ConfigNode j = n.object("journal").allow("dir", "fsync_interval_ms", "max_bytes");
    ResponsesConfig.Journal journal = new ResponsesConfig.Journal(j.string("dir", ""),
        j.positive("fsync_interval_ms", ResponsesConfig.Journal.DEFAULT_FSYNC_INTERVAL_MS), j.positive("max_bytes", ResponsesConfig.Journal.DEFAULT_MAX_BYTES));
    if (journal.maxBytes() < MIN_JOURNAL_BYTES) {
      throw new ConfigException(j.pathOf("max_bytes"), "must be at least " + MIN_JOURNAL_BYTES + " (1 MiB)");
    }
    ConfigNode s3 = n.object("s3").allow("bucket", "region", "endpoint", "prefix", "path_style");
    ResponsesConfig.S3 s3Config = new ResponsesConfig.S3(s3.string("bucket", "ensemble-responses"), s3.string("region", "us-east-1"),
        s3.string("endpoint", ""), s3.string("prefix", "responses/"), s3.bool("path_style", false));
    ResponsesConfig.Store store = n.enumValue("store", ResponsesConfig.Store.class, ResponsesConfig.Store.LOCAL);
    if (store == ResponsesConfig.Store.S3 && s3Config.bucket().isBlank()) {
      throw new ConfigException(s3.pathOf("bucket"), "is required when responses.store is s3");
    }
    String localDir = n.string("local_dir", "data/responses");
    if (store == ResponsesConfig.Store.LOCAL && localDir.isBlank()) {
      throw new ConfigException(n.pathOf("local_dir"), "must not be empty when responses.store is local (e.g. data/responses)");
    }
    long retentionDays = n.integer("retention_days", 0);
    if (retentionDays < 0 || retentionDays > 36_500) {
      throw new ConfigException(n.pathOf("retention_days"), "must be between 0 (keep forever) and 36500");
    }
    return new ResponsesConfig(store, localDir, s3Config, n.positiveInt("max_pending", 8_192), journal,
        (int) retentionDays);
  }

  private RedisConfig redis(ConfigNode n) {
    n.allow("address", "username", "password", "pool_size");
    String address = n.string("address", "");
    if (!address.isBlank() && !isRedisUrl(address)) {
      throw new ConfigException(n.pathOf("address"),
          "must be a URL redis://host[:port][/db] (rediss:// for TLS, unix:///path for a socket), got '" + address + "'");
    }
    return new RedisConfig(address, n.string("username", ""), n.secret("password"), n.positiveInt("pool_size", 20));
  }

  /** What the Redis client connects to: {@code redis://} or {@code rediss://} with a host, or {@code unix://} with a path. */
  private static boolean isRedisUrl(String address) {
    try {
      URI uri = new URI(address.strip());
      String scheme = uri.getScheme();
      if ("unix".equals(scheme)) {
        return uri.getPath() != null && !uri.getPath().isEmpty();
      }
      return ("redis".equals(scheme) || "rediss".equals(scheme)) && uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private ClusterConfig cluster(ConfigNode n) {
    n.allow("enabled", "config");
    return new ClusterConfig(n.bool("enabled", false), n.string("config", "cluster/cluster.xml"));
  }

  private ProviderConfig provider(String name, ConfigNode n, CacheDefaults cacheDefaults) {
    n.allow("type", "kind", "base_url", "strategy", "timeout_ms", "first_byte_timeout_ms", "idle_timeout_ms", "keys", "cache",
        "headers", "provider_preferences", "http");
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new ConfigException(n.path(), "provider names may use letters, digits, '_', '-' and '.'");
    }
    if (n.string("type", "").isBlank()) {
      throw new ConfigException(n.pathOf("type"), "is required (openai, anthropic, gemini, bedrock, vertex or mock)");
    }
    ProviderType type = n.enumValue("type", ProviderType.class, null);
    String kind = kind(name, type, n);
    String baseUrl = n.string("base_url", defaultBaseUrl(type, kind));
    if (!baseUrl.isEmpty()) {
      checkUrl(baseUrl, n.pathOf("base_url"));
    } else if (type == ProviderType.OPENAI || type == ProviderType.ANTHROPIC || type == ProviderType.GEMINI) {
      throw new ConfigException(n.pathOf("base_url"), type == ProviderType.OPENAI && n.string("base_url", null) == null
          ? "is required for kind " + kind + " (the server's OpenAI-compatible base URL, e.g. http://10.0.0.5:30000/v1)"
          : "is required");
    }
    long timeout = n.positive("timeout_ms", 600_000);
    List<ProviderConfig.KeyConfig> keys = n.list("keys", this::key);
    return new ProviderConfig(name, type, stripTrailingSlash(baseUrl), n.enumValue("strategy", Strategy.class, Strategy.SESSION_AFFINITY),
        timeout, n.positive("first_byte_timeout_ms", Math.min(timeout, 120_000)), n.positive("idle_timeout_ms", Math.min(timeout, 120_000)), keys,
        kind, cacheDefaults.of(kind).with(ModelFields.cacheOverride(n.object("cache"))), headers(n), providerPreferences(kind, n),
        upstreamHttp(n.object("http")));
  }

  /** {@code http:} of a provider: the HTTP version and the most connections per host of each version. */
  private static UpstreamHttp upstreamHttp(ConfigNode n) {
    n.allow("version", "http1_connections_per_host", "http2_connections_per_host");
    return new UpstreamHttp(n.enumValue("version", UpstreamHttp.Version.class, UpstreamHttp.Version.AUTO),
        connectionsPerHost(n, "http1_connections_per_host", UpstreamHttp.DEFAULT_HTTP1_CONNECTIONS_PER_HOST),
        connectionsPerHost(n, "http2_connections_per_host", UpstreamHttp.DEFAULT_HTTP2_CONNECTIONS_PER_HOST));
  }

  private static int connectionsPerHost(ConfigNode n, String key, int defaultValue) {
    int v = n.positiveInt(key, defaultValue);
    if (v > UpstreamHttp.MAX_CONNECTIONS_PER_HOST) {
      throw new ConfigException(n.pathOf(key), "must be at most " + UpstreamHttp.MAX_CONNECTIONS_PER_HOST);
    }
    return v;
  }

  /** An OpenAI-format provider's default comes from its kind's profile (none for self-hosted servers). */
  private static String defaultBaseUrl(ProviderType type, String kind) {
    return BuiltInKind.of(type, kind).defaultBaseUrl();
  }

  /** {@code headers:}: names are HTTP tokens the gateway does not set itself; empty values are not sent. */
  private static Map<String, Secret> headers(ConfigNode n) {
    Map<String, Secret> headers = new LinkedHashMap<>();
    n.scalarMap("headers").forEach((header, value) -> {
      String at = n.pathOf("headers") + "." + header;
      if (!header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new ConfigException(at, "is not a valid HTTP header name");
      }
      if (GATEWAY_HEADERS.contains(header.toLowerCase(java.util.Locale.ROOT))) {
        throw new ConfigException(at, "is set by the gateway and cannot be configured");
      }
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new ConfigException(at, "must not contain line breaks");
      }
      if (!value.isEmpty()) {
        headers.put(header, new Secret(value));
      }
    });
    return headers;
  }

  private static Map<String, Object> providerPreferences(String kind, ConfigNode n) {
    Map<String, Object> preferences = n.freeMapping("provider_preferences");
    if (!preferences.isEmpty() && !"openrouter".equals(kind)) {
      throw new ConfigException(n.pathOf("provider_preferences"), "only OpenRouter takes provider preferences (kind: openrouter), this provider is of kind " + kind);
    }
    return preferences;
  }

  /** The {@code kind:} given, else the provider's name when that names a kind ({@code xai}), else its type. */
  private static String kind(String name, ProviderType type, ConfigNode n) {
    String kind = n.string("kind", "");
    if (kind.isEmpty()) {
      return BuiltInKind.names().contains(name) ? name : type.name().toLowerCase(java.util.Locale.ROOT);
    }
    if (!BuiltInKind.names().contains(kind)) {
      throw new ConfigException(n.pathOf("kind"), "must be one of " + String.join(", ", BuiltInKind.names()) + ", got '" + kind + "'");
    }
    if (type != ProviderType.OPENAI && BuiltInKind.named(kind).openAiCompatible()) {
      throw new ConfigException(n.pathOf("kind"), kind + " is an OpenAI-compatible kind: it needs type: openai");
    }
    return kind;
  }

  private ProviderConfig.KeyConfig key(ConfigNode n) {
    n.allow("name", "api_key", "weight", "endpoints");
    BigDecimal weight = n.decimal("weight", BigDecimal.ONE);
    if (weight.signum() <= 0) {
      throw new ConfigException(n.pathOf("weight"), "must be > 0");
    }
    List<ProviderConfig.EndpointConfig> endpoints = n.list("endpoints", this::endpoint);
    if (endpoints.isEmpty()) {
      throw new ConfigException(n.pathOf("endpoints"), "must list at least one endpoint");
    }
    return new ProviderConfig.KeyConfig(n.requiredString("name"), n.secret("api_key"), weight.doubleValue(), endpoints);
  }

  private ProviderConfig.EndpointConfig endpoint(ConfigNode n) {
    n.allow("id", "rpm_limit", "tpm_limit", "base_url", "region");
    String id = n.requiredString("id");
    if (!id.matches("[A-Za-z0-9_.:-]+")) {
      throw new ConfigException(n.pathOf("id"), "endpoint ids may use letters, digits, '_', '-', '.' and ':'");
    }
    String baseUrl = n.string("base_url", "");
    if (!baseUrl.isEmpty()) {
      checkUrl(baseUrl, n.pathOf("base_url"));
    }
    String region = n.string("region", "");
    if (!region.isEmpty() && !ProviderConfig.isRegion(region)) {
      throw new ConfigException(n.pathOf("region"), ProviderConfig.REGION_RULE + ", got '" + region + "'");
    }
    return new ProviderConfig.EndpointConfig(id, n.positiveOrNull("rpm_limit"), n.positiveOrNull("tpm_limit"),
        stripTrailingSlash(baseUrl), region);
  }

  private static DeclaredModel model(String name, ConfigNode n) {
    n.allow("kind", "pricing", "cache", "response_cache", "modalities", "providers");
    ModelKind kind = n.enumValue("kind", ModelKind.class, null);
    List<DeclaredModel.Serving> served = n.list("providers", s -> {
      s.allow("provider", "model", "pricing", "cache", "modalities");
      return new DeclaredModel.Serving(s.requiredString("provider"), s.string("model", name),
          s.has("pricing") ? ModelFields.pricing(s.object("pricing"), false, kind) : null, ModelFields.cacheOverride(s.object("cache")), s.path(),
          ModelFields.modalities(s));
    });
    if (served.isEmpty()) {
      throw new ConfigException(n.pathOf("providers"), "must name at least one provider serving " + name);
    }
    return new DeclaredModel(name, n.path(), ModelFields.pricing(n.object("pricing"), false, kind), ModelFields.cacheOverride(n.object("cache")),
        served, ModelFields.modalities(n), kind);
  }

  private RouteConfig route(String name, ConfigNode n, long requestTimeoutMs) {
    n.allow("model", "fallback", "retry", "cache", "timeout_ms", "operation");
    ConfigNode r = n.object("retry").allow("max_attempts", "initial_backoff_ms", "jitter");
    long backoff = r.integer("initial_backoff_ms", 100);
    if (backoff < 0) {
      throw new ConfigException(r.pathOf("initial_backoff_ms"), "must be >= 0");
    }
    String operation = n.string("operation", "");
    if (!operation.isEmpty() && !RouteConfig.OPERATIONS.contains(operation)) {
      throw new ConfigException(n.pathOf("operation"), "must be one of " + String.join(", ", RouteConfig.OPERATIONS) + ", got '" + operation + "'");
    }
    return new RouteConfig(name, n.requiredString("model"), n.stringList("fallback"),
        new RouteConfig.Retry(r.positiveInt("max_attempts", 4), backoff, r.bool("jitter", true)),
        responseCache(n.object("cache"), "cache"), n.positive("timeout_ms", requestTimeoutMs), operation);
  }

  /** A response cache policy ({@code routes.<name>.cache}, {@code models.<name>.response_cache}). */
  private static ResponseCacheConfig responseCache(ConfigNode c, String key) {
    c.allow("type", "threshold", "ttl_seconds", "embedding_model", "audit_sample_rate", "max_entries", "shared", "tool_calls", "sampled");
    String cacheType = c.string("type", "none");
    if (!List.of("none", "exact", "semantic").contains(cacheType)) {
      throw new ConfigException(c.pathOf("type"), "must be one of none, exact, semantic, got '" + cacheType + "'");
    }
    double threshold = c.decimal("threshold", new BigDecimal("0.94")).doubleValue();
    if (threshold <= 0 || threshold > 1) {
      throw new ConfigException(c.pathOf("threshold"), "must be in (0, 1]");
    }
    double audit = c.decimal("audit_sample_rate", BigDecimal.ZERO).doubleValue();
    if (audit < 0 || audit > 1) {
      throw new ConfigException(c.pathOf("audit_sample_rate"), "must be in [0, 1]");
    }
    String embedding = c.string("embedding_model", "");
    if (!embedding.isEmpty() && !"semantic".equals(cacheType)) {
      throw new ConfigException(c.pathOf("embedding_model"), "only a semantic cache embeds prompts (type: semantic)");
    }
    return new ResponseCacheConfig(cacheType, threshold, c.positive("ttl_seconds", 86_400), embedding, audit,
        c.positiveInt("max_entries", 10_000), c.bool("shared", false), c.bool("tool_calls", false), c.bool("sampled", false));
  }

  private static CacheConfig cacheConfig(ConfigNode n, Map<String, ResponseCacheConfig> models) {
    n.allow("native_dir", "local_embedder_jar", "audit_log_max_bytes", "audit_log_files");
    return new CacheConfig(n.string("native_dir", ""), n.string("local_embedder_jar", ""),
        n.positive("audit_log_max_bytes", CacheConfig.DEFAULT.auditLogMaxBytes()),
        n.positiveInt("audit_log_files", CacheConfig.DEFAULT.auditLogFiles()), models);
  }

  private static void crossCheck(EnsembleConfig config) {
    Map<String, String> endpointOwners = new HashMap<>();
    config.providers().forEach((name, p) -> {
      Map<String, String> keyNames = new HashMap<>();
      for (int k = 0; k < p.keys().size(); k++) {
        String keyPath = "providers." + name + ".keys[" + k + "].name";
        String firstKey = keyNames.putIfAbsent(p.keys().get(k).name(), keyPath);
        if (firstKey != null) {
          throw new ConfigException(keyPath, "duplicate key name '" + p.keys().get(k).name() + "' in this provider (first used at " + firstKey
              + "); keys are named uniquely per provider (POST /admin/keys fills a config key by its provider and name)");
        }
        List<ProviderConfig.EndpointConfig> eps = p.keys().get(k).endpoints();
        for (int e = 0; e < eps.size(); e++) {
          String path = "providers." + name + ".keys[" + k + "].endpoints[" + e + "].id";
          String previous = endpointOwners.putIfAbsent(eps.get(e).id(), path);
          if (previous != null) {
            throw new ConfigException(path, "duplicate endpoint id '" + eps.get(e).id() + "' (first used at " + previous + ")");
          }
        }
      }
    });
    config.routes().forEach((name, r) -> {
      checkModelRef(config, r.model(), "routes." + name + ".model");
      for (int i = 0; i < r.fallback().size(); i++) {
        checkModelRef(config, r.fallback().get(i), "routes." + name + ".fallback[" + i + "]");
      }
      checkEmbedder(config, r.cache(), "routes." + name + ".cache.embedding_model");
      ModelConfig m = config.models().get(r.model());
      String operation = !r.operation().isEmpty() ? r.operation()
          : m == null || m.kind() == null || m.kind() == ModelKind.CHAT ? "chat" : m.kind() == ModelKind.EMBEDDING ? "embeddings" : "images";
      if (r.cache().enabled() && !"chat".equals(operation)) {
        throw new ConfigException("routes." + name + ".cache.type", "only chat workflows cache responses; this route fronts " + operation);
      }
    });
    config.cache().models().forEach((name, c) -> checkEmbedder(config, c, "models." + name + ".response_cache.embedding_model"));
  }

  /** A semantic cache's embedder is the built-in one or an embedding model of the catalog. */
  private static void checkEmbedder(EnsembleConfig config, ResponseCacheConfig cache, String path) {
    String model = cache.embeddingModel();
    if (model.isEmpty() || ResponseCacheConfig.LOCAL_EMBEDDER.equals(model)) {
      return;
    }
    ModelConfig m = config.models().get(model);
    if (m == null) {
      throw new ConfigException(path, "unknown embedding model '" + model + "' (not under models:, and not "
          + ResponseCacheConfig.LOCAL_EMBEDDER + ")");
    }
    if (m.kind() == ModelKind.IMAGE) {
      throw new ConfigException(path, "'" + model + "' is an image model, not an embedding model");
    }
  }

  private static void checkModelRef(EnsembleConfig config, String model, String path) {
    if (config.models().containsKey(model)) {
      return;
    }
    int slash = model.indexOf('/');
    if (slash > 0 && slash < model.length() - 1 && config.providers().containsKey(model.substring(0, slash))) {
      return;
    }
    throw new ConfigException(path, "unknown model '" + model + "' (not under models:, and not provider/model)");
  }

  private static void checkUrl(String url, String path) {
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException(path, "must be an http(s) URL, got '" + url + "'");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException(path, "must be an http(s) URL, got '" + url + "'");
    }
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
