package dev.ensemble.clients;

import java.util.Optional;

/** What happens to the upstream call when a client goes away in the middle of a streamed answer. */
public enum OnDisconnect {
  /** Read the upstream to its end anyway: the answer is persisted complete and its reported usage billed. */
  CONTINUE("continue"),
  /** Cancel the upstream call at once: the answer is persisted as failed and truncated, the partial usage billed. */
  CANCEL("cancel");

  private final String wireName;

  OnDisconnect(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<OnDisconnect> of(String wireName) {
    for (OnDisconnect d : values()) {
      if (d.wireName.equals(wireName)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
