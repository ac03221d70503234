package dev.ensemble.clients;

import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of every gateway client, indexed by key hash and by id. Replaced as a whole when a
 * client is added or removed; readers on any thread use whichever snapshot they got, without a lock.
 */
public final class ClientDirectory {

  public static final ClientDirectory EMPTY = new ClientDirectory(List.of());

  private final Map<String, Client> byHash;
  private final Map<String, Client> byId;

  public ClientDirectory(Collection<Client> clients) {
    Map<String, Client> hashes = new LinkedHashMap<>();
    Map<String, Client> ids = new LinkedHashMap<>();
    for (Client c : clients) {
      hashes.put(c.keyHash(), c);
      ids.put(c.id(), c);
    }
    this.byHash = Map.copyOf(hashes);
    this.byId = java.util.Collections.unmodifiableMap(ids);
  }

  /**
   * The client whose key this is, or null. The map finds the candidate by the key's hash; the stored hash is
   * then compared with {@link MessageDigest#isEqual} (constant time), so the answer never depends on how
   * much of a hash matched.
   */
  public Client authenticate(String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
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
