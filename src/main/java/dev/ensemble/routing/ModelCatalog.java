package dev.ensemble.routing;

import dev.ensemble.config.BuiltInKind;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.ModelKind;
import dev.ensemble.model.GatewayError;
import dev.ensemble.pools.ProviderPool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a node serves, as routing looks them up: each catalog name with its candidates (a provider serving it,
 * with that provider's upstream id, prices and cache semantics), the declared kind of each model, and what the
 * catalog says of each provider's upstream ids, for {@code provider/model} names. Built once from the config;
 * immutable, read by every event loop.
 */
final class ModelCatalog {

  private final Map<String, List<Candidate>> byModel;
  private final Map<String, ModelKind> kinds;
  private final Map<String, Map<String, ModelConfig.Served>> byUpstreamModel;
  private final Map<String, ProviderPool> pools;
  private final Map<String, PoolView> views;

  /** @param views routing's view of each pool, by provider name */
  ModelCatalog(EnsembleConfig config, Map<String, ProviderPool> pools, Map<String, PoolView> views) {
    this.pools = Map.copyOf(pools);
    this.views = Map.copyOf(views);
    Map<String, List<Candidate>> table = new LinkedHashMap<>();
    Map<String, Map<String, ModelConfig.Served>> upstream = new HashMap<>();
    config.models().forEach((name, model) -> {
      List<Candidate> candidates = new ArrayList<>();
      for (ModelConfig.Served served : model.providers()) {
        candidates.add(new Candidate(this.views.get(served.provider()), served));
        upstream.computeIfAbsent(served.provider(), p -> new HashMap<>()).putIfAbsent(served.model(), served);
      }
      table.put(name, List.copyOf(candidates));
    });
    this.byModel = table;
    Map<String, ModelKind> kindTable = new HashMap<>();
    config.models().forEach((name, model) -> {
      if (model.kind() != null) {
        kindTable.put(name, model.kind());
      }
    });
    this.kinds = Map.copyOf(kindTable);
    this.byUpstreamModel = upstream;
  }

  /** The pool of the provider named {@code name}, or null when the node has none of that name. */
  ProviderPool pool(String name) {
    return pools.get(name);
  }

  /**
   * Whether {@code model} is a name the configuration gives: a catalog model, or {@code provider/model} for an
   * upstream id that provider serves in the catalog. Anything else is a name a client made up.
   */
  boolean isConfiguredName(String model) {
    if (byModel.containsKey(model)) {
      return true;
    }
    int slash = model.indexOf('/');
    return slash > 0 && byUpstreamModel.getOrDefault(model.substring(0, slash), Map.of()).containsKey(model.substring(slash + 1));
  }

  /** The catalog's model names, in config order. */
  List<String> modelNames() {
    return List.copyOf(byModel.keySet());
  }

  /** The declared kind of {@code model}, or null for a model without one, a {@code provider/model} name or an unknown one. */
  ModelKind kindOf(String model) {
    return kinds.get(model);
  }

  /** The candidates serving {@code model}: a catalog name's, one for a {@code provider/model} name, none for an unknown name. */
  List<Candidate> candidates(String model) {
    List<Candidate> listed = byModel.get(model);
    if (listed != null) {
      return listed;
    }
    int slash = model.indexOf('/');
    if (slash > 0 && slash < model.length() - 1) {
      ProviderPool pool = pools.get(model.substring(0, slash));
      if (pool != null) {
        String upstreamModel = model.substring(slash + 1);
        String problem = pool.adapter().modelIds().problem(pool.name(), upstreamModel);
        if (problem != null) {
          throw GatewayError.invalid("model", problem);
        }
        return List.of(new Candidate(views.get(pool.name()), direct(pool, upstreamModel)));
      }
    }
    return List.of();
  }

  /**
   * {@code provider/model}: what the catalog says about that provider serving that upstream id, else the
   * provider kind's cache semantics and media at zero prices.
   */
  private ModelConfig.Served direct(ProviderPool pool, String upstreamModel) {
    ModelConfig.Served known = byUpstreamModel.getOrDefault(pool.name(), Map.of()).get(upstreamModel);
    return known != null ? known : new ModelConfig.Served(pool.name(), upstreamModel, ModelConfig.Pricing.FREE, pool.config().cache(),
        BuiltInKind.defaultModalities(pool.config().kind(), upstreamModel));
  }
}
