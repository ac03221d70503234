package dev.ensemble.clients;

import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientRegistryTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-31T23:59:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  private static Client client(String id, String key, String budget, Integer rpm) {
    return new Client(id, "name-" + id, ClientKeys.hash(key), budget == null ? null : new BigDecimal(budget), rpm, OnDisconnect.CONTINUE, 0);
  }

  private static JsonObject directory(List<Client> clients, String month, JsonObject spent) {
    JsonArray list = new JsonArray();
    clients.forEach(c -> list.add(c.toJson()));
    JsonObject out = new JsonObject().put("clients", list);
    return month == null ? out : out.put("month", month).put("spent_e10", spent);
  }

  @Test
  void keysAreEnsPrefixedBase62AndDifferEveryTime() {
    SecureRandom random = new SecureRandom();
    String a = ClientKeys.generate(random);
    String b = ClientKeys.generate(random);
    assertTrue(a.matches("ens_[0-9A-Za-z]{32}"), a);
    assertNotEquals(a, b);
    assertEquals(64, ClientKeys.hash(a).length());
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ClientKeys.hash(""));
  }

  @Test
  void authenticatesByKeyAndNothingElse() {
    Client alice = client("c1", "ens_alice", null, null);
    ClientDirectory directory = new ClientDirectory(List.of(alice));
    assertSame(alice, directory.authenticate("ens_alice"));
    assertNull(directory.authenticate("ens_alicf"));
    assertNull(directory.authenticate(alice.keyHash()), "the hash is not a key");
    assertNull(directory.authenticate(""));
    assertNull(directory.authenticate(null));
  }

  @Test
  void theFirstDirectorySeedsThisMonthsSpendAndTheBudgetIsCheckedAgainstIt() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client capped = client("c1", "ens_k1", "1.00", null);
    registry.apply(directory(List.of(capped), "2026-05", new JsonObject().put("c1", 9_000_000_000L)));

    assertEquals(0, new BigDecimal("0.9").compareTo(registry.spentThisMonth("c1")));
    assertNull(registry.admit(capped));
    registry.bill("c1", new BigDecimal("0.1"));
    GatewayError refused = registry.admit(capped);

    assertEquals(429, refused.status());
    assertTrue(refused.getMessage().contains("monthly budget of $1.00 for client 'name-c1' is spent"), refused.getMessage());
    assertTrue(refused.getMessage().contains("renews on 2026-06-01"), refused.getMessage());
  }

  @Test
  void laterDirectoriesDoNotOverwriteThisNodesSpendAndDropRemovedClients() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client c = client("c1", "ens_k1", "5", null);
    registry.apply(directory(List.of(c), "2026-05", new JsonObject()));
    registry.bill("c1", new BigDecimal("2"));
    registry.apply(directory(List.of(c), "2026-05", new JsonObject().put("c1", 0L)));
    assertEquals(0, new BigDecimal("2").compareTo(registry.spentThisMonth("c1")));

    registry.apply(directory(List.of(), null, null));
    assertNull(registry.authenticate("ens_k1"));
    assertEquals(BigDecimal.ZERO, registry.spentThisMonth("c1"));
  }

  @Test
  void spendStartsAgainInANewUtcMonth() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client c = client("c1", "ens_k1", "1", null);
    registry.apply(directory(List.of(c), "2026-05", new JsonObject()));
    registry.bill("c1", new BigDecimal("1"));
    assertEquals(429, registry.admit(c).status());

    now.set(Instant.parse("2026-06-01T00:00:00Z"));

    assertEquals(BigDecimal.ZERO, registry.spentThisMonth("c1"));
    assertNull(registry.admit(c));
    registry.bill("c1", new BigDecimal("0.25"));
    assertEquals(0, new BigDecimal("0.25").compareTo(registry.spentThisMonth("c1")));
  }

  @Test
  void rpmLimitIsPerClientWithRetryAfter() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client limited = client("c1", "ens_k1", null, 2);
    Client free = client("c2", "ens_k2", null, null);
    registry.apply(directory(List.of(limited, free), null, null));

    assertNull(registry.admit(limited));
    now.set(now.get().plusSeconds(10));
    assertNull(registry.admit(limited));
    GatewayError refused = registry.admit(limited);
    for (int i = 0; i < 10; i++) {
      assertNull(registry.admit(free));
    }

    assertEquals(429, refused.status());
    assertEquals(50L, refused.retryAfterSeconds(), "the first admission leaves the 60 s window 50 s from now");
    now.set(now.get().plusSeconds(50));
    assertNull(registry.admit(limited));
  }

  @Test
  void aZeroBudgetRefusesAtOnce() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client c = client("c1", "ens_k1", "0", null);
    registry.apply(directory(List.of(c), null, null));
    assertEquals(429, registry.admit(c).status());
  }

  @Test
  void aBudgetIsSpentExactlyAtItsAmountHoweverFineOrLargeAndAChangedBudgetCountsAtOnce() {
    ClientRegistry registry = new ClientRegistry(clock);
    Client fine = client("c1", "ens_k1", "1.00000000004", null);
    Client huge = client("c2", "ens_k2", "1000000000000", null);
    registry.apply(directory(List.of(fine, huge), "2026-05", new JsonObject().put("c1", 10_000_000_000L).put("c2", Long.MAX_VALUE / 2)));

    // $1 spent of $1.00000000004: not yet; one more 10^-10 USD and it is
    assertNull(registry.admit(fine));
    registry.bill("c1", new BigDecimal("0.0000000001"));
    assertEquals(429, registry.admit(fine).status());
    // more than a long of 10^-10 USD: never reached by a spend this node can count
    assertNull(registry.admit(huge));

    Client raised = client("c1", "ens_k1", "2", null);
    registry.apply(directory(List.of(raised, huge), null, null));
    assertNull(registry.admit(raised));
    Client lowered = client("c1", "ens_k1", "0.5", null);
    registry.apply(directory(List.of(lowered, huge), null, null));
    assertEquals(429, registry.admit(lowered).status());
  }
}
