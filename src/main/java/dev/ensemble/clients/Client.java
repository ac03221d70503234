package dev.ensemble.clients;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A gateway client as the {@code clients} table keeps it: never its key, only the key's SHA-256.
 *
 * @param monthlyBudgetUsd USD the client may spend per UTC calendar month, or null for no budget
 * @param rpmLimit         requests per sliding 60 seconds, or null for no limit
 */
public record Client(String id, String name, String keyHash, BigDecimal monthlyBudgetUsd, Integer rpmLimit,
    OnDisconnect onDisconnect, long createdAtMillis) {

  /** The form that travels on the event bus and is stored (includes the key hash, never a key; the budget a decimal string). */
  public JsonObject toJson() {
    return publicJson().put("monthly_budget_usd", monthlyBudgetUsd == null ? null : monthlyBudgetUsd.toPlainString()).put("key_hash", keyHash);
  }

  /** What the admin API shows: everything but the key hash; the budget a JSON number, as clients send it. */
  public JsonObject publicJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("monthly_budget_usd", monthlyBudgetUsd == null ? null : new BigDecimal(monthlyBudgetUsd.toPlainString()))
        .put("rpm_limit", rpmLimit)
        .put("on_disconnect", onDisconnect.wireName())
        .put("created_at", Instant.ofEpochMilli(createdAtMillis).toString());
  }

  public static Client fromJson(JsonObject json) {
    Object budget = json.getValue("monthly_budget_usd");
    return new Client(json.getString("id"), json.getString("name"), json.getString("key_hash"),
        budget == null ? null : new BigDecimal(budget.toString()), json.getInteger("rpm_limit"),
        OnDisconnect.of(json.getString("on_disconnect")).orElse(OnDisconnect.CONTINUE),
        Instant.parse(json.getString("created_at")).toEpochMilli());
  }
}
