package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a model catalog ({@code conf/models.yaml}) as strictly as {@code ensemble.yaml}: unknown keys and bad
 * values fail with their YAML path, prefixed by the catalog's file name.
 */
final class CatalogLoader {

  private final EnvExpander env;

  CatalogLoader(EnvExpander env) {
    this.env = env;
  }

  /**
   * @param file   the catalog file
   * @param shownAs the name errors inside the file are reported under (the path as the config wrote it)
   */
  Catalog load(Path file, String shownAs) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("catalog", "cannot read " + file + ": " + e.getMessage());
    }
    try {
      return parse(text);
    } catch (ConfigException e) {
      throw e.inFile(shownAs);
    }
  }

  Catalog parse(String yaml) {
    ConfigNode top = new ConfigNode(ConfigLoader.readTree(yaml), "", env).allow("cache_defaults", "models");
    Map<String, CacheSettings> defaults = new LinkedHashMap<>();
    top.entries("cache_defaults").forEach((kind, node) -> {
      if (!BuiltInKind.names().contains(kind)) {
        throw new ConfigException(node.path(), "unknown provider kind (known: " + String.join(", ", BuiltInKind.names()) + ")");
      }
      defaults.put(kind, ModelFields.cacheSettings(node));
    });
    Map<String, DeclaredModel> models = new LinkedHashMap<>();
    top.entries("models").forEach((name, node) -> models.put(name, model(name, node)));
    return new Catalog(defaults, models);
  }

  private static DeclaredModel model(String name, ConfigNode n) {
    n.allow("kind", "pricing", "cache", "modalities", "served_by");
    if (!n.has("pricing")) {
      throw new ConfigException(n.pathOf("pricing"), "is required");
    }
    ModelKind kind = n.enumValue("kind", ModelKind.class, ModelKind.CHAT);
    List<DeclaredModel.Serving> serving = new ArrayList<>();
    n.entries("served_by", "model").forEach((key, s) -> {
      s.allow("model", "pricing", "cache", "modalities");
      serving.add(new DeclaredModel.Serving(key, s.requiredString("model"),
          s.has("pricing") ? ModelFields.pricing(s.object("pricing"), true, kind) : null, ModelFields.cacheOverride(s.object("cache")), s.path(),
          ModelFields.modalities(s)));
    });
    if (serving.isEmpty()) {
      throw new ConfigException(n.pathOf("served_by"), "must name at least one provider serving " + name);
    }
    return new DeclaredModel(name, n.path(), ModelFields.pricing(n.object("pricing"), true, kind), ModelFields.cacheOverride(n.object("cache")),
        serving, ModelFields.modalities(n), kind);
  }
}
