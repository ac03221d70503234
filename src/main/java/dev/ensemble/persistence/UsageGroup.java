package dev.ensemble.persistence;

import java.util.Optional;

/** A column {@code GET /admin/usage} can group by, under its public name. */
public enum UsageGroup {
  PROVIDER("provider"),
  ENDPOINT("endpoint"),
  MODEL("model"),
  CLIENT("client");

  private final String wireName;

  UsageGroup(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<UsageGroup> of(String wireName) {
    for (UsageGroup g : values()) {
      if (g.wireName.equals(wireName)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }
}
