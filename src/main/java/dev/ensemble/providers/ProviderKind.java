package dev.ensemble.providers;

import dev.ensemble.providers.auth.UpstreamAuth;
import io.vertx.core.Vertx;

import java.util.function.Function;

/**
 * Everything that makes one provider type work: its wire adapter, how it authenticates, how it is reached, and
 * what it can do besides chat ({@link ProviderCapabilities}).
 */
public record ProviderKind(ProviderAdapter adapter, UpstreamAuth auth, Function<Vertx, UpstreamTransport> transport,
    ProviderCapabilities capabilities) {

  /** A chat-only provider type. */
  public ProviderKind(ProviderAdapter adapter, UpstreamAuth auth, Function<Vertx, UpstreamTransport> transport) {
    this(adapter, auth, transport, ProviderCapabilities.CHAT_ONLY);
  }
}
