package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

/**
 * One versioned item of the state every node of a fleet shares — a gateway client, a provider key added
 * through the admin API — or its deletion marker ({@code deleted}, body kept empty). Every copy of an item
 * (each node's SQLite file, the fleet's Hazelcast map) converges on the same winner by {@link #supersedes}:
 * the higher version wins; at equal versions a deletion wins, then the greater body text. Versions are
 * epoch milliseconds of the change, raised past the version they replace, so a later change on any node
 * wins over an earlier one and a change never loses to the state it replaced.
 *
 * @param kind what the item is ({@link #CLIENT}, {@link #KEY}, {@link #KEY_STATE}, {@link #VAULT})
 * @param id   unique within its kind
 */
public record SharedEntry(String kind, String id, long version, boolean deleted, JsonObject body) {

  /** A gateway client: {@code Client.toJson()} (key hash only). */
  public static final String CLIENT = "client";
  /** A provider key added through the admin API, id {@code <provider>/<name>}: the stored key (ciphertext only). */
  public static final String KEY = "key";
  /** Whether a provider key (config or admin), id {@code <provider>/<name>}, is disabled: {@code {disabled, reason}}. */
  public static final String KEY_STATE = "key-state";
  /** The fleet's encryption-key check value: a known text encrypted with the fleet's {@code ENSEMBLE_ENCRYPTION_KEY}. */
  public static final String VAULT = "vault";

  public SharedEntry {
    body = body == null ? new JsonObject() : body;
  }

  /** The key of this item in a map of every kind: {@code <kind>/<id>}. */
  public String key() {
    return kind + "/" + id;
  }

  /** Whether this copy wins over {@code other} (null: nothing known yet). */
  public boolean supersedes(SharedEntry other) {
    if (other == null) {
      return true;
    }
    if (version != other.version) {
      return version > other.version;
    }
    if (deleted != other.deleted) {
      return deleted;
    }
    return body.encode().compareTo(other.body.encode()) > 0;
  }

  /** A live item. */
  public static SharedEntry of(String kind, String id, long version, JsonObject body) {
    return new SharedEntry(kind, id, version, false, body);
  }

  /** The deletion marker of an item. */
  public static SharedEntry deletion(String kind, String id, long version) {
    return new SharedEntry(kind, id, version, true, new JsonObject());
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind).put("id", id).put("version", version).put("deleted", deleted).put("body", body);
  }

  public static SharedEntry fromJson(JsonObject json) {
    return new SharedEntry(json.getString("kind"), json.getString("id"), json.getLong("version", 0L), json.getBoolean("deleted", false),
        json.getJsonObject("body"));
  }
}
