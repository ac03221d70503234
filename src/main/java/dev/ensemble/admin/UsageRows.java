package dev.ensemble.admin;

import dev.ensemble.persistence.UsageGroup;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The usage rows of several ledgers summed per group (the group columns' values): requests, tokens and the
 * exact cost. Rows come out ordered by their group columns, as one ledger orders them. Not thread-safe.
 */
final class UsageRows {

  private static final List<String> COUNTS = List.of("requests", "input", "output", "cache_read", "cache_write", "reasoning");

  private final List<UsageGroup> groups;
  private final Map<String, JsonObject> byGroup = new TreeMap<>();

  UsageRows(List<UsageGroup> groups) {
    this.groups = groups;
  }

  void add(JsonArray rows) {
    for (Object r : rows) {
      JsonObject row = (JsonObject) r;
      JsonArray key = new JsonArray();
      groups.forEach(g -> key.add(row.getValue(g.wireName())));
      JsonObject sum = byGroup.get(key.encode());
      if (sum == null) {
        sum = new JsonObject();
        for (UsageGroup g : groups) {
          sum.put(g.wireName(), row.getValue(g.wireName()));
        }
        for (String c : COUNTS) {
          sum.put(c, 0L);
        }
        sum.put("cost_usd", BigDecimal.ZERO);
        byGroup.put(key.encode(), sum);
      }
      for (String c : COUNTS) {
        sum.put(c, sum.getLong(c) + row.getLong(c, 0L));
      }
      sum.put("cost_usd", ((BigDecimal) sum.getValue("cost_usd")).add(new BigDecimal(String.valueOf(row.getValue("cost_usd", "0")))));
    }
  }

  JsonArray toJson() {
    JsonArray out = new JsonArray();
    byGroup.values().forEach(out::add);
    return out;
  }
}
