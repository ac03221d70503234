package dev.ensemble.pools;

import dev.ensemble.providers.Endpoint;

/**
 * Told by a {@link PoolVerticle} when its endpoints change at run time, so what is kept per endpoint
 * elsewhere (rate limiters, meters) follows: {@link #added} before routing can see the endpoint,
 * {@link #removed} once it no longer can. Called on the pool verticle's event loop.
 */
public interface EndpointListener {

  EndpointListener NONE = new EndpointListener() {
    @Override
    public void added(ProviderPool pool, Endpoint endpoint) {
    }

    @Override
    public void removed(ProviderPool pool, Endpoint endpoint) {
    }
  };

  void added(ProviderPool pool, Endpoint endpoint);

  void removed(ProviderPool pool, Endpoint endpoint);
}
