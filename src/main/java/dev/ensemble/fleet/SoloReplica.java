package dev.ensemble.fleet;

import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A node without a cluster: its SQLite file is the only copy; writes are checked against the node's own view. */
public final class SoloReplica implements Replica {

  @Override
  public Future<List<SharedEntry>> join(List<SharedEntry> local, Consumer<SharedEntry> onChange) {
    return Future.succeededFuture(local);
  }

  @Override
  public Future<SharedEntry> put(SharedEntry entry, Predicate<SharedEntry> precondition) {
    return Future.succeededFuture(entry);
  }

  @Override
  public List<String> peers() {
    return List.of();
  }

  @Override
  public Future<Void> leave() {
    return Future.succeededFuture();
  }
}
