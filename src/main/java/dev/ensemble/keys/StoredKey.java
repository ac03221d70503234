package dev.ensemble.keys;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A provider key as the persistence verticle stores it: everything but the key itself, which is only there
 * as {@link KeyVault} ciphertext. Crosses the event bus as JSON.
 */
public record StoredKey(String id, String provider, String name, String ciphertext, double weight, String endpointsJson, long createdAt) {

  /** {@code key} with its API key replaced by {@code ciphertext}. */
  public static StoredKey of(ProviderKey key, String ciphertext) {
    return new StoredKey(key.id(), key.provider(), key.name(), ciphertext, key.weight(),
        ProviderKey.endpointsJson(key.endpoints()).encode(), key.createdAt());
  }

  /** The admin key this row holds, its API key decrypted by {@code vault}. */
  public ProviderKey decrypt(KeyVault vault) {
    String apiKey = vault.decrypt(ciphertext, provider, name);
    return new ProviderKey(id, ProviderKey.Source.ADMIN, provider, name, new dev.ensemble.config.Secret(apiKey), weight,
        ProviderKey.endpointsOf(new io.vertx.core.json.JsonArray(endpointsJson)), createdAt);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("provider", provider).put("name", name).put("ciphertext", ciphertext)
        .put("weight", weight).put("endpoints_json", endpointsJson).put("created_at", createdAt);
  }

  public static StoredKey fromJson(JsonObject json) {
    return new StoredKey(json.getString("id"), json.getString("provider"), json.getString("name"), json.getString("ciphertext"),
        json.getDouble("weight"), json.getString("endpoints_json"), json.getLong("created_at"));
  }

  static List<StoredKey> listOf(io.vertx.core.json.JsonArray rows) {
    return rows.stream().map(r -> fromJson((JsonObject) r)).toList();
  }
}
