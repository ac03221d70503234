package dev.ensemble.config;

/**
 * A credential from the config. {@link #toString()} never shows it; {@link #masked()} shows its last four
 * characters for listings, the way provider consoles do.
 */
public record Secret(String value) {

  public static final Secret EMPTY = new Secret("");

  /** The fewest characters {@link #masked()} keeps hidden; shorter secrets are shown as {@code ****}. */
  private static final int MIN_HIDDEN = 8;

  public Secret {
    value = value == null ? "" : value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /**
   * {@code sk-...abcd} style: a short prefix up to the first dash and the last four characters, as long as
   * at least eight characters stay hidden; otherwise {@code ****}. {@code ""} when empty.
   */
  public String masked() {
    if (value.isEmpty()) {
      return "";
    }
    int dash = value.indexOf('-');
    String prefix = dash > 0 && dash <= 4 ? value.substring(0, dash + 1) : "";
    if (value.length() - prefix.length() - 4 < MIN_HIDDEN) {
      return "****";
    }
    return prefix + "..." + value.substring(value.length() - 4);
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "" : "****";
  }
}
