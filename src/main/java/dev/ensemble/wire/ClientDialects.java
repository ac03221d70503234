package dev.ensemble.wire;

import io.vertx.core.MultiMap;

import java.util.List;
import java.util.Objects;

/**
 * Every client format a node serves, in registration order; the first is the default (its errors answer paths
 * no format owns). Immutable and thread-safe.
 */
public final class ClientDialects {

  private final List<ClientDialect> all;

  public ClientDialects(List<ClientDialect> all) {
    if (all.isEmpty()) {
      throw new IllegalArgumentException("at least one client dialect");
    }
    this.all = List.copyOf(all);
  }

  public List<ClientDialect> all() {
    return all;
  }

  /** The default format (OpenAI Chat Completions). */
  public ClientDialect fallback() {
    return all.get(0);
  }

  /** The format named {@code name}, or null. */
  public ClientDialect named(Object name) {
    for (ClientDialect dialect : all) {
      if (dialect.name().equals(name)) {
        return dialect;
      }
    }
    return null;
  }

  /** The format that owns {@code path}, else the default. */
  public ClientDialect forPath(String path) {
    for (ClientDialect dialect : all) {
      if (dialect.owns(path)) {
        return dialect;
      }
    }
    return fallback();
  }

  /** The format that owns a request for {@code path} with {@code headers} ({@link ClientDialect#owns(String, MultiMap)}), else the default. */
  public ClientDialect forRequest(String path, MultiMap headers) {
    for (ClientDialect dialect : all) {
      if (dialect.owns(path, headers)) {
        return dialect;
      }
    }
    return fallback();
  }

  /** The names, for error messages: {@code "openai", "anthropic", ...}. */
  public String names() {
    StringBuilder sb = new StringBuilder();
    for (ClientDialect dialect : all) {
      sb.append(sb.isEmpty() ? "" : ", ").append('"').append(Objects.requireNonNull(dialect.name())).append('"');
    }
    return sb.toString();
  }
}
