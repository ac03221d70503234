package dev.ensemble.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A single node's store: the shelf is the only copy. */
public final class LocalCacheStore implements CacheStore {

  private final Vertx vertx;
  private CacheShelf shelf;

  public LocalCacheStore(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Void> start(CacheShelf shelf) {
    this.shelf = shelf;
    return Future.succeededFuture();
  }

  @Override
  public void put(CachedAnswer entry) {
    shelf.put(entry);
  }

  @Override
  public void remove(String key) {
    shelf.remove(key);
  }

  @Override
  public void close() {
  }
}
