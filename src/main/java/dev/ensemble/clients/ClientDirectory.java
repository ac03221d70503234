package dev.ensemble.clients;

import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every gateway client, indexed by key hash and by id. Replaced as a whole when a
 * client is added, changed or removed; readers on any thread use whichever snapshot they got, without a lock.
 *
 * <p>Besides the snapshot, a small cache of the keys it recently authenticated ({@link RecentKeys}), so that a
 * client sending many requests pays the key's SHA-256 once per snapshot rather than once per request. It belongs to
 * this snapshot: a change to the clients makes a new snapshot with an empty cache, so a removed client's key, or a
 * client's old settings, are never answered from it. Every thread may read and fill it (see {@link RecentKeys}).
 */
public final class ClientDirectory {

  public static final ClientDirectory EMPTY = new ClientDirectory(List.of());

  private final Map<String, Client> byHash;
  private final Map<String, Client> byId;
  private final RecentKeys recent;

  public ClientDirectory(Collection<Client> clients) {
    Map<String, Client> hashes = new LinkedHashMap<>();
    Map<String, Client> ids = new LinkedHashMap<>();
    for (Client c : clients) {
      hashes.put(c.keyHash(), c);
      ids.put(c.id(), c);
    }
    this.byHash = Map.copyOf(hashes);
    this.byId = java.util.Collections.unmodifiableMap(ids);
    this.recent = new RecentKeys(ids.size());
  }

  /**
   * The client whose key this is, or null. A key this snapshot authenticated recently is found in {@link RecentKeys}
   * by comparing the whole key in constant time; any other is hashed: the map finds the candidate by the key's hash,
   * and the stored hash is then compared with {@link MessageDigest#isEqual} (constant time), so the answer never
   * depends on how much of a hash matched. Only keys that authenticate are cached.
   */
  public Client authenticate(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    Client known = recent.find(key);
    if (known != null) {
      return known;
    }
    Client client = byDigest(key);
    if (client != null) {
      recent.remember(key, client);
    }
    return client;
  }

  private Client byDigest(String key) {
    byte[] presented = ClientKeys.digest(key);
    Client candidate = byHash.get(HexFormat.of().formatHex(presented));
    if (candidate == null) {
      return null;
    }
    return MessageDigest.isEqual(HexFormat.of().parseHex(candidate.keyHash()), presented) ? candidate : null;
  }

  public Client byId(String id) {
    return byId.get(id);
  }

  /** Every client, in the order they were listed (oldest first as the persistence verticle sends them). */
  public Collection<Client> all() {
    return byId.values();
  }

  public int size() {
    return byId.size();
  }
}
