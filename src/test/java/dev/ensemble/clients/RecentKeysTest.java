package dev.ensemble.clients;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache of recently authenticated keys each directory snapshot keeps: it answers as the SHA-256 lookup would. */
class RecentKeysTest {

  /** Two keys with one {@code String} hash ("Aa" and "BB" hash alike), so one slot of the cache. */
  private static final String KEY_AA = "ens_0123456789abcdefghijklmnopqrstAa";
  private static final String KEY_BB = "ens_0123456789abcdefghijklmnopqrstBB";

  private static Client client(String id, String key, String budget) {
    return new Client(id, "name-" + id, ClientKeys.hash(key), budget == null ? null : new BigDecimal(budget), null, OnDisconnect.CONTINUE, 0);
  }

  private static JsonObject directory(Client... clients) {
    JsonArray list = new JsonArray();
    for (Client c : clients) {
      list.add(c.toJson());
    }
    return new JsonObject().put("clients", list);
  }

  @Test
  void aKeyAuthenticatedBeforeIsAnsweredAgainAndNothingCloseToItIs() {
    assertEquals(KEY_AA.hashCode(), KEY_BB.hashCode(), "the test needs two keys of one slot");
    Client alice = client("c1", KEY_AA, null);
    ClientDirectory directory = new ClientDirectory(List.of(alice));
    for (int i = 0; i < 3; i++) {
      assertSame(alice, directory.authenticate(KEY_AA));
    }
    assertNull(directory.authenticate(KEY_BB), "another key in the remembered key's slot");
    assertNull(directory.authenticate(KEY_AA.substring(0, KEY_AA.length() - 1)), "a prefix of the key");
    assertNull(directory.authenticate(KEY_AA + "a"), "the key and more");
    assertNull(directory.authenticate(KEY_AA.toUpperCase()));
    assertNull(directory.authenticate(alice.keyHash()), "the hash is not a key");
    assertSame(alice, directory.authenticate(KEY_AA), "still remembered after the refusals");
  }

  @Test
  void twoClientsWhoseKeysShareASlotAreEachAuthenticatedAsThemselves() {
    Client aa = client("c1", KEY_AA, null);
    Client bb = client("c2", KEY_BB, null);
    ClientDirectory directory = new ClientDirectory(List.of(aa, bb));
    for (int i = 0; i < 4; i++) {
      assertSame(aa, directory.authenticate(KEY_AA));
      assertSame(aa, directory.authenticate(KEY_AA));
      assertSame(bb, directory.authenticate(KEY_BB));
    }
  }

  @Test
  void aChangeToTheClientsIsSeenAtOnceThoughTheKeyWasRemembered() {
    ClientRegistry registry = new ClientRegistry(Clock.systemUTC());
    Client before = client("c1", KEY_AA, "5");
    registry.apply(directory(before));
    assertEquals(before, registry.authenticate(KEY_AA));
    assertEquals(before, registry.authenticate(KEY_AA));

    Client changed = client("c1", KEY_AA, "10");
    registry.apply(directory(changed));
    assertEquals(0, new BigDecimal("10").compareTo(registry.authenticate(KEY_AA).monthlyBudgetUsd()),
        "the client's new settings, not the remembered ones");

    registry.apply(directory(client("c2", KEY_BB, null)));
    assertNull(registry.authenticate(KEY_AA), "a removed client's key is refused");
  }

  @Test
  void manyClientsAreAllAuthenticatedWhateverTheirSlots() {
    List<Client> clients = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    java.security.SecureRandom random = new java.security.SecureRandom();
    for (int i = 0; i < 300; i++) {
      String key = ClientKeys.generate(random);
      keys.add(key);
      clients.add(client("c" + i, key, null));
    }
    ClientDirectory directory = new ClientDirectory(clients);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < keys.size(); i++) {
        assertSame(clients.get(i), directory.authenticate(keys.get(i)));
        assertNull(directory.authenticate(keys.get(i).substring(0, 35) + (keys.get(i).charAt(35) == 'x' ? 'y' : 'x')));
      }
    }
  }

  @Test
  void theTableHasTwiceTheClientsSlotsWithinItsBounds() {
    assertEquals(RecentKeys.MIN_SLOTS, new RecentKeys(0).slots());
    assertEquals(RecentKeys.MIN_SLOTS, new RecentKeys(8).slots());
    assertEquals(32, new RecentKeys(9).slots());
    assertEquals(RecentKeys.MAX_SLOTS, new RecentKeys(2048).slots());
    assertEquals(RecentKeys.MAX_SLOTS, new RecentKeys(1_000_000).slots());
  }

  @Test
  void keysAreComparedWholeWhateverTheirLengths() {
    assertTrue(RecentKeys.sameKey("ens_abc", "ens_abc"));
    assertFalse(RecentKeys.sameKey("ens_abc", "ens_abd"));
    assertFalse(RecentKeys.sameKey("ens_abc", "ens_ab"));
    assertFalse(RecentKeys.sameKey("ens_ab", "ens_abc"));
    assertFalse(RecentKeys.sameKey("ens_abc", ""));
    assertFalse(RecentKeys.sameKey("eeeeeee", "e"), "the known key's first character past its end is no match");
    assertTrue(RecentKeys.sameKey("", ""));
  }
}
