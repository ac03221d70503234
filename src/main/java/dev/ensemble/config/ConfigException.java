package dev.ensemble.config;

/** An invalid configuration, reported with the YAML path of the offending value, e.g. {@code server.port: must be > 0}. */
public final class ConfigException extends RuntimeException {

  private final String path;
  private final String problem;

  public ConfigException(String path, String problem) {
    super((path == null || path.isEmpty() ? "(root)" : path) + ": " + problem, null, false, false);
    this.path = path;
    this.problem = problem;
  }

  /** The same problem reported inside another file, e.g. {@code models.yaml: models.x.pricing.inptu: unknown key}. */
  public ConfigException inFile(String file) {
    return new ConfigException(path == null || path.isEmpty() ? file : file + ": " + path, problem);
  }

  public String problem() {
    return problem;
  }

  public String path() {
    return path;
  }
}
