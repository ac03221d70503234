package dev.ensemble.config;

/** {@code redis:} — optional; an empty address means rate limits are counted in-process. */
public record RedisConfig(String address, String username, Secret password, int poolSize) {

  public boolean enabled() {
    return !address.isBlank();
  }
}
