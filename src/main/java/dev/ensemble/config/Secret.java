package dev.ensemble.config;

/**
 * A credential from the config. {@link #toString()} never shows it; {@link #masked()} shows its last four
 * characters for listings, the way provider consoles do.
 */
public record Secret(String value) {

  public static final Secret EMPTY = new Secret("");

  public Secret {
    value = value == null ? "" : value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** {@code sk-...abcd} style: a short prefix and the last four characters; {@code ""} when empty. */
  public String masked() {
    if (value.isEmpty()) {
      return "";
    }
    if (value.length() <= 8) {
      return "****";
    }
    int dash = value.indexOf('-');
    String prefix = dash > 0 && dash <= 4 ? value.substring(0, dash + 1) : "";
    return prefix + "..." + value.substring(value.length() - 4);
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "" : "****";
  }
}
