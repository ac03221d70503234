package dev.ensemble.keys;

import dev.ensemble.config.ProviderConfig;
import dev.ensemble.config.Secret;
import dev.ensemble.providers.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One provider API key with its endpoints, from the config file or added through {@code POST /admin/keys}.
 * Immutable; {@link #toJson()} shows the key masked only.
 *
 * @param id        {@code pk_...} for admin keys, {@code config:<provider>:<name>} for the config file's
 * @param createdAt epoch milliseconds (0 for config keys)
 */
public record ProviderKey(
    String id, Source source, String provider, String name, Secret apiKey, double weight,
    List<ProviderConfig.EndpointConfig> endpoints, long createdAt) {

  /** Where a key is defined; only admin keys can be deleted through the API. */
  public enum Source { CONFIG, ADMIN }

  public ProviderKey {
    endpoints = List.copyOf(endpoints);
  }

  /** The config file's key {@code key} of {@code provider}. */
  public static ProviderKey ofConfig(ProviderConfig provider, ProviderConfig.KeyConfig key) {
    return new ProviderKey("config:" + provider.name() + ":" + key.name(), Source.CONFIG, provider.name(), key.name(), key.apiKey(),
        key.weight(), key.endpoints(), 0);
  }

  /** The endpoints routing uses, with the provider's base URL where an endpoint sets none. */
  public List<Endpoint> toEndpoints(String providerBaseUrl) {
    List<Endpoint> out = new ArrayList<>();
    for (ProviderConfig.EndpointConfig e : endpoints) {
      out.add(new Endpoint(e.id(), provider, name, apiKey, weight, e.rpmLimit(), e.tpmLimit(),
          e.baseUrl().isEmpty() ? providerBaseUrl : e.baseUrl(), e.region()));
    }
    return out;
  }

  /** As {@code /admin/keys} shows it: the key masked. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("provider", provider).put("name", name)
        .put("api_key", apiKey.masked()).put("weight", weight).put("endpoints", endpointsJson(endpoints))
        .put("source", source.name().toLowerCase());
    if (createdAt > 0) {
      json.put("created_at", Instant.ofEpochMilli(createdAt).toString());
    }
    return json;
  }

  static JsonArray endpointsJson(List<ProviderConfig.EndpointConfig> endpoints) {
    JsonArray out = new JsonArray();
    for (ProviderConfig.EndpointConfig e : endpoints) {
      JsonObject json = new JsonObject().put("id", e.id());
      if (e.rpmLimit() != null) {
        json.put("rpm_limit", e.rpmLimit());
      }
      if (e.tpmLimit() != null) {
        json.put("tpm_limit", e.tpmLimit());
      }
      if (!e.baseUrl().isEmpty()) {
        json.put("base_url", e.baseUrl());
      }
      if (!e.region().isEmpty()) {
        json.put("region", e.region());
      }
      out.add(json);
    }
    return out;
  }

  static List<ProviderConfig.EndpointConfig> endpointsOf(JsonArray json) {
    List<ProviderConfig.EndpointConfig> out = new ArrayList<>();
    for (int i = 0; i < json.size(); i++) {
      JsonObject e = json.getJsonObject(i);
      out.add(new ProviderConfig.EndpointConfig(e.getString("id"), e.getInteger("rpm_limit"), e.getInteger("tpm_limit"),
          e.getString("base_url", ""), e.getString("region", "")));
    }
    return out;
  }
}
