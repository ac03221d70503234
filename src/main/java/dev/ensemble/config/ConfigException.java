package dev.ensemble.config;

/** An invalid configuration, reported with the YAML path of the offending value, e.g. {@code server.port: must be > 0}. */
public final class ConfigException extends RuntimeException {

  private final String path;

  public ConfigException(String path, String problem) {
    super((path == null || path.isEmpty() ? "(root)" : path) + ": " + problem, null, false, false);
    this.path = path;
  }

  public String path() {
    return path;
  }
}
