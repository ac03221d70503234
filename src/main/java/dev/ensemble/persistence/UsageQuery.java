package dev.ensemble.persistence;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code GET /admin/usage} question: ledger rows whose request finished in {@code [from, to)}, summed per
 * distinct combination of the {@code groupBy} columns (one total row when there are none).
 */
public record UsageQuery(Instant from, Instant to, List<UsageGroup> groupBy) {

  public UsageQuery {
    groupBy = List.copyOf(groupBy);
  }

  public JsonObject toJson() {
    JsonArray groups = new JsonArray();
    groupBy.forEach(g -> groups.add(g.wireName()));
    return new JsonObject().put("from", from.toEpochMilli()).put("to", to.toEpochMilli()).put("group_by", groups);
  }

  public static UsageQuery fromJson(JsonObject json) {
    List<UsageGroup> groups = new ArrayList<>();
    for (Object g : json.getJsonArray("group_by", new JsonArray())) {
      groups.add(UsageGroup.of((String) g).orElseThrow(() -> new IllegalArgumentException("unknown group " + g)));
    }
    return new UsageQuery(Instant.ofEpochMilli(json.getLong("from")), Instant.ofEpochMilli(json.getLong("to")), groups);
  }
}
