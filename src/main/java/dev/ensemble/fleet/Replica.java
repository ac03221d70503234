package dev.ensemble.fleet;

import dev.ensemble.model.SharedEntry;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The fleet's copy of the shared entries, next to each node's own SQLite copy: on one node nothing
 * ({@link SoloReplica}), in a cluster a Hazelcast map ({@link HazelcastReplica}).
 */
public interface Replica {

  /**
   * Joins the fleet's copy: first listens to it ({@code onChange} gets every entry any node writes from now on, on
   * whatever thread the replica uses), then adds the {@code local} entries it lacks or holds older, then
   * answers every entry it holds.
   */
  Future<List<SharedEntry>> join(List<SharedEntry> local, Consumer<SharedEntry> onChange);

  /**
   * Writes {@code entry} if {@code precondition} holds for the fleet's current copy (null when none), raising its
   * version past that copy's when needed; answers the entry as written, or fails with {@link Conflict}.
   */
  Future<SharedEntry> put(SharedEntry entry, Predicate<SharedEntry> precondition);

  /** The other live members, by event-bus node id. */
  List<String> peers();

  /** Stops listening. */
  Future<Void> leave();

  /** The precondition of a write did not hold; {@code current} is the fleet's copy (null: none). */
  final class Conflict extends RuntimeException {
    private final transient SharedEntry current;

    public Conflict(SharedEntry current) {
      super("the shared entry changed", null, false, false);
      this.current = current;
    }

    public SharedEntry current() {
      return current;
    }
  }
}
