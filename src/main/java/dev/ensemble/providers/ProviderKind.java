package dev.ensemble.providers;

import dev.ensemble.pools.UpstreamTransport;
import dev.ensemble.providers.auth.UpstreamAuth;
import io.vertx.core.Vertx;

import java.util.function.Function;

/** Everything that makes one provider type work: its wire adapter, how it authenticates, and how it is reached. */
public record ProviderKind(ProviderAdapter adapter, UpstreamAuth auth, Function<Vertx, UpstreamTransport> transport) {}
