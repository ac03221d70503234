package dev.ensemble.keys;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.SharedEntry;
import dev.ensemble.pools.KeySet;
import dev.ensemble.providers.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The owner of the node's admin-added provider keys: its {@code admin} map (by {@code <provider>/<name>}) is
 * this verticle's alone. The keys are shared entries of the fleet ({@link SharedEntry#KEY}, ciphertext only),
 * kept by the fleet-state verticle: at start this verticle reads them from there, decrypts them with the
 * {@link KeyVault} and hands each provider's set to its pool; afterwards every change — made on this node
 * through {@link Addresses#KEYS_ADD} / {@link Addresses#KEYS_DELETE}, or on another node — arrives on
 * {@link Addresses#KEYS_CHANGED} and is in force in the pool before it is acknowledged. Keys of the config file
 * are listed next to them and cannot be deleted here; one declared with an empty {@code api_key} can be filled.
 *
 * <p>The fleet's encryption key is checked through a shared check value ({@link SharedEntry#VAULT}): a node
 * whose {@code ENSEMBLE_ENCRYPTION_KEY} cannot decrypt it refuses to start, saying why.
 */
public final class KeysVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(KeysVerticle.class);
  private static final long ASK_TIMEOUT_MS = 30_000;
  static final String NO_VAULT = "the node cannot store provider keys: ENSEMBLE_ENCRYPTION_KEY (storage.encryption_key) is not set";
  static final String CHECK_ID = "check";
  private static final String CHECK_TEXT = "ensemble fleet encryption key check";

  private final EnsembleConfig config;
  private final KeyVault vault;
  private final LongSupplier clock;
  private final KeyRequest requests = new KeyRequest();
  private final List<ProviderKey> configured = new ArrayList<>();
  private final Map<String, String> configuredEndpoints = new HashMap<>();
  private final Map<String, Admin> admin = new LinkedHashMap<>();
  /** The fleet's key states by {@code <provider>/<name>}: disabled keys (with why), re-enabled ones. */
  private final Map<String, SharedEntry> states = new HashMap<>();
  private boolean vaultMatches = true;
  private Future<?> queue = Future.succeededFuture();

  /** An admin key in force on this node, with the version of its shared entry. */
  private record Admin(ProviderKey key, long version) {}

  /** @param vault null when {@code storage.encryption_key} is not set: keys are listed, none can be added */
  public KeysVerticle(EnsembleConfig config, KeyVault vault, LongSupplier clockMillis) {
    this.config = config;
    this.vault = vault;
    this.clock = clockMillis;
    for (ProviderConfig provider : config.providers().values()) {
      for (ProviderConfig.KeyConfig key : provider.keys()) {
        ProviderKey k = ProviderKey.ofConfig(provider, key);
        configured.add(k);
        k.endpoints().forEach(e -> configuredEndpoints.put(e.id(), k.id()));
      }
    }
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return bus.<JsonObject>localConsumer(Addresses.KEYS_CHANGED, msg -> {
          SharedEntry entry = SharedEntry.fromJson(msg.body());
          (entry.kind().equals(SharedEntry.VAULT) ? checkVault(entry).<Void>mapEmpty()
              : entry.kind().equals(SharedEntry.KEY_STATE) ? stateChanged(entry) : changed(entry))
              .onComplete(ar -> msg.reply(null));
        }).completion()
        .compose(v -> entries(SharedEntry.VAULT))
        .compose(checks -> checks.isEmpty() ? Future.succeededFuture() : checkVault(checks.get(0)).compose(ok -> ok ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException(mismatch()))))
        .compose(v -> entries(SharedEntry.KEY))
        .compose(this::load)
        .compose(v -> entries(SharedEntry.KEY_STATE))
        .compose(states -> Future.all(states.stream().map(this::stateChanged).toList()))
        .compose(v -> {
          bus.<JsonObject>localConsumer(Addresses.KEYS_STATE, msg -> serialized(msg, () -> setState(msg.body())));
          bus.<JsonObject>localConsumer(Addresses.KEYS_ADD, msg -> serialized(msg, () -> add(msg.body())));
          bus.<String>localConsumer(Addresses.KEYS_DELETE, msg -> serialized(msg, () -> delete(msg.body())));
          return bus.<Void>localConsumer(Addresses.KEYS_LIST, msg -> msg.reply(list())).completion();
        });
  }

  private Future<List<SharedEntry>> entries(String kind) {
    return vertx.eventBus().<JsonObject>request(Addresses.FLEET_LIST, kind, options())
        .map(reply -> reply.body().getJsonArray("entries").stream().map(e -> SharedEntry.fromJson((JsonObject) e)).toList());
  }

  private String mismatch() {
    return "storage.encryption_key (ENSEMBLE_ENCRYPTION_KEY) of this node is not the key the fleet's provider keys are encrypted with"
        + " (the fleet's check value does not decrypt with it); start every node of a fleet with the same ENSEMBLE_ENCRYPTION_KEY";
  }

  /** Whether this node's vault decrypts the fleet's check value (true when it has no vault: then it adds no keys). */
  private Future<Boolean> checkVault(SharedEntry check) {
    if (vault == null || check.deleted()) {
      return Future.succeededFuture(true);
    }
    try {
      vault.decrypt(check.body().getString("ciphertext", ""), "ensemble", CHECK_ID);
      vaultMatches = true;
    } catch (UndecryptableKeyException e) {
      vaultMatches = false;
      LOG.error("{}; provider keys added through the admin API are not used on this node", mismatch());
    }
    return Future.succeededFuture(vaultMatches);
  }

  private Future<Void> load(List<SharedEntry> rows) {
    if (!rows.isEmpty() && vault == null) {
      return Future.failedFuture(new IllegalStateException("the fleet's shared state (and " + config.storage().sqlitePath() + ") holds " + rows.size()
          + " provider key(s) added through the admin API, but storage.encryption_key (ENSEMBLE_ENCRYPTION_KEY) is not set to decrypt them"));
    }
    for (SharedEntry row : rows) {
      StoredKey stored = StoredKey.fromJson(row.body());
      ProviderKey key;
      try {
        key = resolve(stored);
      } catch (UndecryptableKeyException e) {
        return Future.failedFuture(new IllegalStateException("stored provider key " + stored.id() + " ('" + stored.name() + "' of provider '"
            + stored.provider() + "') cannot be decrypted (" + e.getMessage() + "); is storage.encryption_key the key it was stored with?"));
      }
      if (key == null) {
        continue;
      }
      admin.put(row.id(), new Admin(key, row.version()));
    }
    List<Future<?>> pushes = new ArrayList<>();
    admin.values().stream().map(a -> a.key().provider()).distinct().forEach(p -> pushes.add(push(p)));
    if (!admin.isEmpty()) {
      LOG.info("loaded {} provider key(s) added through the admin API", admin.size());
    }
    return Future.all(pushes).compose(v -> rows.isEmpty() || vault == null ? Future.succeededFuture() : ensureCheck());
  }

  /**
   * The key a stored row holds, decrypted; a row filling a config key takes the config's weight and endpoints.
   * Null when it cannot be used here (its provider is gone, or its name or endpoints clash), logged.
   */
  private ProviderKey resolve(StoredKey row) {
    ProviderConfig provider = config.providers().get(row.provider());
    if (provider == null) {
      LOG.warn("stored provider key {} ('{}') belongs to provider '{}', which is not configured on this node; it is not used", row.id(), row.name(),
          row.provider());
      return null;
    }
    ProviderKey key = row.decrypt(vault);
    ProviderConfig.KeyConfig slot = slot(key.provider(), key.name());
    if (slot != null) {
      if (!slot.apiKey().isEmpty()) {
        LOG.warn("stored provider key {} is not used: the config file sets key '{}' of provider '{}' itself", row.id(), key.name(), key.provider());
        return null;
      }
      key = new ProviderKey(key.id(), key.source(), key.provider(), key.name(), key.apiKey(), slot.weight(), slot.endpoints(), key.createdAt());
    }
    String clash = clash(key);
    if (clash != null) {
      LOG.warn("stored provider key {} is not used: {}", row.id(), clash);
      return null;
    }
    return key;
  }

  /** Applies a change of the shared keys (this node's or another's): decrypts, hands the provider's set to its pool. */
  private Future<Void> changed(SharedEntry entry) {
    Admin known = admin.get(entry.id());
    if (known != null && known.version() >= entry.version()) {
      return Future.succeededFuture();
    }
    String provider = entry.id().substring(0, Math.max(0, entry.id().indexOf('/')));
    if (!config.providers().containsKey(provider)) {
      LOG.warn("provider key {} of the fleet belongs to provider '{}', which is not configured on this node; it is not used", entry.id(), provider);
      return Future.succeededFuture();
    }
    if (entry.deleted()) {
      if (admin.remove(entry.id()) == null) {
        return Future.succeededFuture();
      }
      LOG.info("provider key {} ('{}') removed from provider '{}'", known.key().id(), known.key().name(), provider);
      return push(provider);
    }
    if (vault == null || !vaultMatches) {
      LOG.error("provider key {} was added in the fleet, but this node {}", entry.id(), vault == null ? "has no storage.encryption_key"
          : "has another ENSEMBLE_ENCRYPTION_KEY than the fleet");
      return Future.succeededFuture();
    }
    ProviderKey key;
    try {
      admin.remove(entry.id());
      key = resolve(StoredKey.fromJson(entry.body()));
    } catch (UndecryptableKeyException e) {
      LOG.error("provider key {} cannot be decrypted on this node ({}): {}", entry.id(), e.getMessage(), mismatch());
      return push(provider);
    }
    if (key == null) {
      return push(provider);
    }
    admin.put(entry.id(), new Admin(key, entry.version()));
    ProviderKey added = key;
    return push(provider).onSuccess(v -> LOG.info("provider key {} ('{}', {}) in force for provider '{}' with endpoints {}", added.id(), added.name(),
        added.apiKey().masked(), provider, added.endpoints().stream().map(ProviderConfig.EndpointConfig::id).toList()));
  }

  /** Applies the fleet's state of one key (disabled or enabled) to its pool. */
  private Future<Void> stateChanged(SharedEntry entry) {
    SharedEntry known = states.get(entry.id());
    if (known != null && !entry.supersedes(known)) {
      return Future.succeededFuture();
    }
    states.put(entry.id(), entry);
    int slash = entry.id().indexOf('/');
    String provider = entry.id().substring(0, Math.max(0, slash));
    if (slash < 0 || !config.providers().containsKey(provider)) {
      return Future.succeededFuture();
    }
    boolean disabled = !entry.deleted() && entry.body().getBoolean("disabled", false);
    return vertx.eventBus().request(Addresses.poolKeyState(provider), new JsonObject().put("key", entry.id().substring(slash + 1))
        .put("disabled", disabled), options()).mapEmpty();
  }

  /** {@code POST /admin/keys/{id}/disable|enable}: the key's state for the whole fleet. */
  private Future<JsonObject> setState(JsonObject body) {
    String id = body.getString("id");
    boolean disable = body.getBoolean("disabled", false);
    ProviderKey key = configured.stream().filter(k -> k.id().equals(id)).findFirst()
        .orElseGet(() -> admin.values().stream().map(Admin::key).filter(k -> k.id().equals(id)).findFirst().orElse(null));
    if (key == null) {
      throw new KeyError(404, "not_found_error", "id", "no provider key with id '" + id + "'");
    }
    String entryId = key.provider() + "/" + key.name();
    return putState(entryId, disable, disable ? "disabled by an operator" : null)
        .map(reply -> key.toJson().put("disabled", disable).put("pending_nodes", reply.getJsonArray("pending_nodes", new JsonArray())));
  }

  private Future<JsonObject> putState(String entryId, boolean disabled, String reason) {
    JsonObject change = new JsonObject().put("kind", SharedEntry.KEY_STATE).put("id", entryId)
        .put("body", new JsonObject().put("disabled", disabled).put("reason", reason));
    return vertx.eventBus().<JsonObject>request(Addresses.FLEET_PUT, change, options()).map(Message::body);
  }

  private boolean disabled(String entryId) {
    SharedEntry state = states.get(entryId);
    return state != null && !state.deleted() && state.body().getBoolean("disabled", false);
  }

  private JsonObject withState(ProviderKey key) {
    String entryId = key.provider() + "/" + key.name();
    JsonObject json = key.toJson().put("disabled", disabled(entryId));
    if (disabled(entryId)) {
      json.put("disabled_reason", states.get(entryId).body().getString("reason"));
    }
    return json;
  }

  /** Runs {@code operation} after the previous one finished and replies with its result or its {@link KeyError}. */
  private <T> void serialized(Message<T> msg, Supplier<Future<JsonObject>> operation) {
    queue = queue.transform(ignored -> {
      Future<JsonObject> result;
      try {
        result = operation.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else if (ar.cause() instanceof KeyError e) {
          msg.fail(e.status(), e.toJson().encode());
        } else {
          LOG.error("provider key operation failed: {}", ar.cause().toString());
          msg.fail(500, new KeyError(500, "api_error", null, "the provider key could not be stored: " + ar.cause().getMessage())
              .toJson().encode());
        }
      });
    });
  }

  private Future<JsonObject> add(JsonObject body) {
    if (vault == null) {
      throw new KeyError(503, "api_error", null, NO_VAULT);
    }
    if (!vaultMatches) {
      throw new KeyError(503, "api_error", null, mismatch());
    }
    ProviderKey key = requests.parse(body == null ? new JsonObject() : body, config, clock.getAsLong());
    String clash = clash(key);
    if (clash != null) {
      throw KeyError.conflict(clash.startsWith("endpoint") ? "endpoints" : "name", clash);
    }
    StoredKey row = StoredKey.of(key, vault.encrypt(key.apiKey().value(), key.provider(), key.name()));
    JsonObject change = new JsonObject().put("kind", SharedEntry.KEY).put("id", key.provider() + "/" + key.name()).put("body", row.toJson())
        .put("expect", "absent");
    return ensureCheck()
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.FLEET_PUT, change, options()))
        .recover(err -> Future.failedFuture(err instanceof ReplyException r && r.failureCode() == 409
            ? KeyError.conflict("name", "provider '" + key.provider() + "' already has a key named '" + key.name() + "'")
            : err))
        .map(reply -> key.toJson().put("pending_nodes", reply.body().getJsonArray("pending_nodes", new JsonArray())));
  }

  /** Writes the fleet's check value if there is none yet (another node's stays: then this one was checked at start). */
  private Future<Void> ensureCheck() {
    JsonObject change = new JsonObject().put("kind", SharedEntry.VAULT).put("id", CHECK_ID).put("expect", "absent")
        .put("body", new JsonObject().put("ciphertext", vault.encrypt(CHECK_TEXT, "ensemble", CHECK_ID)));
    return vertx.eventBus().request(Addresses.FLEET_PUT, change, options()).<Void>mapEmpty()
        .recover(err -> err instanceof ReplyException r && r.failureCode() == 409 ? Future.succeededFuture() : Future.failedFuture(err));
  }

  private Future<JsonObject> delete(String id) {
    for (ProviderKey k : configured) {
      if (k.id().equals(id)) {
        throw KeyError.conflict("id", "key '" + k.name() + "' of provider '" + k.provider()
            + "' is defined in the config file; remove it there and restart");
      }
    }
    String entryId = admin.entrySet().stream().filter(e -> e.getValue().key().id().equals(id)).map(Map.Entry::getKey).findFirst().orElse(null);
    if (entryId == null) {
      throw new KeyError(404, "not_found_error", "id", "no provider key with id '" + id + "'");
    }
    JsonObject change = new JsonObject().put("kind", SharedEntry.KEY).put("id", entryId).put("deleted", true).put("expect", "present");
    return vertx.eventBus().<JsonObject>request(Addresses.FLEET_PUT, change, options())
        .recover(err -> Future.failedFuture(err instanceof ReplyException r && r.failureCode() == 404
            ? new KeyError(404, "not_found_error", "id", "no provider key with id '" + id + "'") : err))
        .map(v -> new JsonObject().put("id", id).put("deleted", true));
  }

  private JsonObject list() {
    JsonArray data = new JsonArray();
    configured.forEach(k -> {
      if (!admin.containsKey(k.provider() + "/" + k.name())) {
        data.add(withState(k));
      }
    });
    admin.values().forEach(a -> data.add(withState(a.key())));
    return new JsonObject().put("object", "list").put("data", data);
  }

  private ProviderConfig.KeyConfig slot(String provider, String name) {
    ProviderConfig p = config.providers().get(provider);
    return p == null ? null : p.keys().stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
  }

  /** Why {@code key} cannot join the node (its name or an endpoint id is taken), or null. */
  private String clash(ProviderKey key) {
    ProviderConfig.KeyConfig slot = slot(key.provider(), key.name());
    String slotId = "config:" + key.provider() + ":" + key.name();
    boolean nameTaken = (slot != null && !slot.apiKey().isEmpty()) || admin.containsKey(key.provider() + "/" + key.name());
    if (nameTaken) {
      return "provider '" + key.provider() + "' already has a key named '" + key.name() + "'";
    }
    for (ProviderConfig.EndpointConfig e : key.endpoints()) {
      String owner = configuredEndpoints.get(e.id());
      if (owner != null && !owner.equals(slotId)) {
        return "endpoint id '" + e.id() + "' is already used by " + owner + "; endpoint ids are unique across the node";
      }
      for (Admin other : admin.values()) {
        if (other.key().endpoints().stream().anyMatch(o -> o.id().equals(e.id()))) {
          return "endpoint id '" + e.id() + "' is already used by key " + other.key().id() + "; endpoint ids are unique across the node";
        }
      }
    }
    return null;
  }

  /** Sends {@code provider}'s admin key set to its pool; completes once the pool serves it. */
  private Future<Void> push(String provider) {
    String baseUrl = config.providers().get(provider).baseUrl();
    List<Endpoint> endpoints = new ArrayList<>();
    admin.values().stream().filter(a -> a.key().provider().equals(provider)).forEach(a -> endpoints.addAll(a.key().toEndpoints(baseUrl)));
    return vertx.eventBus().request(Addresses.poolKeys(provider), new KeySet(provider, endpoints), options()).mapEmpty();
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
  }
}
