package dev.ensemble.keys;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
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
 * The owner of the node's admin-added provider keys (the only writer of that set). At start it reads the
 * stored keys from the persistence verticle, decrypts them with the {@link KeyVault} and hands each provider's
 * set to its pool; afterwards it answers {@link Addresses#KEYS_ADD}, {@link Addresses#KEYS_LIST} and
 * {@link Addresses#KEYS_DELETE}, one operation at a time: validate, store (ciphertext only), then send the
 * provider's full admin key set to {@link Addresses#poolKeys} and reply once the pool serves it. Keys of the
 * config file are listed next to them and cannot be deleted here.
 */
public final class KeysVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(KeysVerticle.class);
  private static final long ASK_TIMEOUT_MS = 10_000;
  static final String NO_VAULT = "the node cannot store provider keys: ENSEMBLE_ENCRYPTION_KEY (storage.encryption_key) is not set";

  private final EnsembleConfig config;
  private final KeyVault vault;
  private final LongSupplier clock;
  private final KeyRequest requests = new KeyRequest();
  private final List<ProviderKey> configured = new ArrayList<>();
  private final Map<String, String> configuredEndpoints = new HashMap<>();
  private final Map<String, ProviderKey> admin = new LinkedHashMap<>();
  private Future<?> queue = Future.succeededFuture();

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
    return vertx.eventBus().<JsonObject>request(Addresses.PERSIST_KEYS_LIST, null, options())
        .compose(reply -> load(StoredKey.listOf(reply.body().getJsonArray("keys"))))
        .compose(v -> {
          var bus = vertx.eventBus();
          bus.<JsonObject>localConsumer(Addresses.KEYS_ADD, msg -> serialized(msg, () -> add(msg.body())));
          bus.<String>localConsumer(Addresses.KEYS_DELETE, msg -> serialized(msg, () -> delete(msg.body())));
          return bus.<Void>localConsumer(Addresses.KEYS_LIST, msg -> msg.reply(list())).completion();
        });
  }

  private Future<Void> load(List<StoredKey> rows) {
    if (!rows.isEmpty() && vault == null) {
      return Future.failedFuture(new IllegalStateException("the database " + config.storage().sqlitePath() + " holds " + rows.size()
          + " provider key(s) added through the admin API, but storage.encryption_key (ENSEMBLE_ENCRYPTION_KEY) is not set to decrypt them"));
    }
    for (StoredKey row : rows) {
      if (!config.providers().containsKey(row.provider())) {
        LOG.warn("stored provider key {} ('{}') belongs to provider '{}', which is no longer configured; it is not used", row.id(), row.name(),
            row.provider());
        continue;
      }
      ProviderKey key;
      try {
        key = row.decrypt(vault);
      } catch (UndecryptableKeyException e) {
        return Future.failedFuture(new IllegalStateException("stored provider key " + row.id() + " ('" + row.name() + "' of provider '"
            + row.provider() + "') cannot be decrypted (" + e.getMessage() + "); is storage.encryption_key the key it was stored with?"));
      }
      String clash = clash(key);
      if (clash != null) {
        LOG.warn("stored provider key {} is not used: {}", row.id(), clash);
        continue;
      }
      admin.put(key.id(), key);
    }
    List<Future<?>> pushes = new ArrayList<>();
    admin.values().stream().map(ProviderKey::provider).distinct().forEach(p -> pushes.add(push(p)));
    if (!admin.isEmpty()) {
      LOG.info("loaded {} provider key(s) added through the admin API", admin.size());
    }
    return Future.all(pushes).mapEmpty();
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
    ProviderKey key = requests.parse(body == null ? new JsonObject() : body, config, clock.getAsLong());
    String clash = clash(key);
    if (clash != null) {
      throw KeyError.conflict(clash.startsWith("endpoint") ? "endpoints" : "name", clash);
    }
    StoredKey row = StoredKey.of(key, vault.encrypt(key.apiKey().value(), key.provider(), key.name()));
    return vertx.eventBus().<Void>request(Addresses.PERSIST_KEYS_INSERT, row.toJson(), options())
        .recover(err -> Future.failedFuture(err instanceof ReplyException r && r.failureCode() == 409
            ? KeyError.conflict("name", "provider '" + key.provider() + "' already has a key named '" + key.name() + "'")
            : err))
        .compose(v -> {
          admin.put(key.id(), key);
          return push(key.provider());
        })
        .map(v -> {
          LOG.info("provider key {} ('{}', {}) added to provider '{}' with endpoints {}", key.id(), key.name(), key.apiKey().masked(),
              key.provider(), key.endpoints().stream().map(ProviderConfig.EndpointConfig::id).toList());
          return key.toJson();
        });
  }

  private Future<JsonObject> delete(String id) {
    for (ProviderKey k : configured) {
      if (k.id().equals(id)) {
        throw KeyError.conflict("id", "key '" + k.name() + "' of provider '" + k.provider()
            + "' is defined in the config file; remove it there and restart");
      }
    }
    ProviderKey key = admin.get(id);
    if (key == null) {
      throw new KeyError(404, "not_found_error", "id", "no provider key with id '" + id + "'");
    }
    return vertx.eventBus().<Boolean>request(Addresses.PERSIST_KEYS_DELETE, id, options())
        .compose(v -> {
          admin.remove(id);
          return push(key.provider());
        })
        .map(v -> {
          LOG.info("provider key {} ('{}') removed from provider '{}'", id, key.name(), key.provider());
          return new JsonObject().put("id", id).put("deleted", true);
        });
  }

  private JsonObject list() {
    JsonArray data = new JsonArray();
    configured.forEach(k -> data.add(k.toJson()));
    admin.values().forEach(k -> data.add(k.toJson()));
    return new JsonObject().put("object", "list").put("data", data);
  }

  /** Why {@code key} cannot join the node (its name or an endpoint id is taken), or null. */
  private String clash(ProviderKey key) {
    boolean nameTaken = configured.stream().anyMatch(k -> k.provider().equals(key.provider()) && k.name().equals(key.name()))
        || admin.values().stream().anyMatch(k -> k.provider().equals(key.provider()) && k.name().equals(key.name()));
    if (nameTaken) {
      return "provider '" + key.provider() + "' already has a key named '" + key.name() + "'";
    }
    for (ProviderConfig.EndpointConfig e : key.endpoints()) {
      if (configuredEndpoints.containsKey(e.id())) {
        return "endpoint id '" + e.id() + "' is already used by " + configuredEndpoints.get(e.id()) + "; endpoint ids are unique across the node";
      }
      for (ProviderKey other : admin.values()) {
        if (other.endpoints().stream().anyMatch(o -> o.id().equals(e.id()))) {
          return "endpoint id '" + e.id() + "' is already used by key " + other.id() + "; endpoint ids are unique across the node";
        }
      }
    }
    return null;
  }

  /** Sends {@code provider}'s admin key set to its pool; completes once the pool serves it. */
  private Future<Void> push(String provider) {
    String baseUrl = config.providers().get(provider).baseUrl();
    List<Endpoint> endpoints = new ArrayList<>();
    admin.values().stream().filter(k -> k.provider().equals(provider)).forEach(k -> endpoints.addAll(k.toEndpoints(baseUrl)));
    return vertx.eventBus().request(Addresses.poolKeys(provider), new KeySet(provider, endpoints), options()).mapEmpty();
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
  }
}
