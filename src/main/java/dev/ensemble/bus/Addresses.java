package dev.ensemble.bus;

/** Every event-bus address Ensemble uses, built in one place so none is written inline. */
public final class Addresses {

  /**
   * Local, published by the router verticle once it learnt from it (the request path hands it over in the router's
   * {@link Inbox}): the {@link dev.ensemble.routing.UsageReport} of every attempt, for observers (cluster bridge, metrics).
   */
  public static final String ROUTING_USAGE = "ensemble.routing.usage";

  /**
   * Request-reply: the router verticle answers with its state as JSON — affinity table size, cache
   * predictions, decisions by reason. Answered after the router took in every usage report handed to it before.
   */
  public static final String ROUTING_STATUS = "ensemble.routing.status";
  /** Request/reply, local: the metrics verticle counts what it took off the bus so far, then replies (before a scrape). */
  public static final String METRICS_FLUSH = "ensemble.metrics.flush";

  /** Sent after every answer that reached the client: a {@link dev.ensemble.persistence.ResponseRecord} to store. */
  public static final String PERSIST_RESPONSE = "ensemble.persist.response";

  /** Sent once per request after its last attempt: a {@link dev.ensemble.persistence.LedgerEntry} for the usage ledger. */
  public static final String PERSIST_LEDGER = "ensemble.persist.ledger";

  /** Request-reply: a response id; the reply is the stored response's JSON, or failure 404. */
  public static final String PERSIST_RESPONSE_GET = "ensemble.persist.response.get";
  /**
   * Local, request-reply: a background response's final record, stored only while the stored one is still
   * {@code in_progress} (a compare-and-set); fails 409 when another poll settled it first, 404 when there is none.
   */
  public static final String PERSIST_RESPONSE_SETTLE = "ensemble.persist.response.settle";

  /** request/reply: a response id -> deleted from the index and the store, or failure 404 when there was none. */
  public static final String PERSIST_RESPONSE_DELETE = "ensemble.persist.response.delete";

  /**
   * Request-reply: a {@link dev.ensemble.persistence.UsageQuery} as JSON; the persistence verticle first writes
   * the ledger rows queued so far, then replies {@code {rows: [...]}} as {@code GET /admin/usage} shows it.
   */
  public static final String PERSIST_USAGE = "ensemble.persist.usage";

  /** Request-reply: the persistence verticle answers with its state as JSON — SQLite file, schema, ledger counters. */
  public static final String PERSIST_STATUS = "ensemble.persist.status";

  /**
   * Request-reply: a {@link dev.ensemble.model.SharedEntry} as JSON; the persistence verticle stores it unless its
   * copy supersedes it, and replies whether it did.
   */
  public static final String PERSIST_ENTRY_PUT = "ensemble.persist.entry.put";

  /** Request-reply: every stored {@link dev.ensemble.model.SharedEntry}, deletion markers included, as {@code {entries: [...]}}. */
  public static final String PERSIST_ENTRIES_LIST = "ensemble.persist.entries.list";

  /**
   * Request-reply to the node's fleet-state verticle: {@code {kind, id, deleted?, body?, expect?: absent|present}}, a change
   * of the shared state. It is versioned, stored, applied on this node and on every live member, then answered
   * with the stored entry; failure 409 when {@code expect: absent} meets a live entry, 404 when {@code expect:
   * present} meets none.
   */
  public static final String FLEET_PUT = "ensemble.fleet.put";

  /** Request-reply to the node's fleet-state verticle: a kind; the reply is {@code {entries: [...]}}, live ones only. */
  public static final String FLEET_LIST = "ensemble.fleet.list";

  /**
   * Request-reply, local: the fleet-state verticle hands the keys verticle a changed provider key entry (this
   * node's change or another node's); the reply comes once the pool serves the change.
   */
  public static final String KEYS_CHANGED = "ensemble.keys.changed";

  /**
   * Request-reply, local, to the node's {@link dev.ensemble.clients.ClientRegistry}: {@code {clients: [...]}}, the whole
   * client directory (key hashes only) from the fleet-state verticle after every change, and/or {@code {month,
   * spent_e10}}, this node's spend per client from its ledger, from the persistence verticle at start. Replied once applied.
   */
  public static final String CLIENTS_DIRECTORY = "ensemble.clients.directory";

  /**
   * Request-reply to the keys verticle: {@code POST /admin/keys}'s JSON body; the reply is the stored key,
   * masked, or a failure whose code is the HTTP status and whose message is the JSON error body.
   */
  public static final String KEYS_ADD = "ensemble.keys.add";

  /** Request-reply to the keys verticle: {@code {id, disabled}} from {@code POST /admin/keys/{id}/disable|enable}. */
  public static final String KEYS_STATE = "ensemble.keys.state";

  /** Request-reply to the keys verticle: every provider key, config and admin, masked, as {@code {data: [...]}}. */
  public static final String KEYS_LIST = "ensemble.keys.list";

  /** Request-reply to the keys verticle: a key id to remove; failure 404 (unknown) or 409 (a config-file key). */
  public static final String KEYS_DELETE = "ensemble.keys.delete";

  /**
   * Cluster-wide, published: an {@link dev.ensemble.pools.AttemptOutcome} that other nodes should apply (a
   * cooldown, a rejected key), as JSON tagged with the node it came from ({@link dev.ensemble.cluster.PeerRecords}).
   */
  public static final String CLUSTER_OUTCOME = "ensemble.cluster.pool.outcome";

  /**
   * Cluster-wide, published: a {@link dev.ensemble.routing.UsageReport} that taught this node cache affinity,
   * as JSON tagged with the node it came from ({@link dev.ensemble.cluster.PeerRecords}).
   */
  public static final String CLUSTER_USAGE = "ensemble.cluster.routing.usage";

  /**
   * Local, published by the cluster bridge: a {@link dev.ensemble.routing.UsageReport} of another node; the
   * router verticle learns only its cache affinity (load and token corrections are each node's own).
   */
  public static final String ROUTING_PEER_USAGE = "ensemble.routing.peer.usage";

  private Addresses() {
  }

  /**
   * Cluster-wide, request-reply to one member: {@code {kind, id, version}}; the member replies once its copy of that
   * entry is at least that version (the barrier an admin change waits on before it is answered).
   */
  public static String fleetApplied(String nodeId) {
    return "ensemble.fleet." + nodeId + ".applied";
  }

  /** Cluster-wide, request-reply to one member: a {@link dev.ensemble.persistence.UsageQuery} answered from its own ledger. */
  public static String fleetUsage(String nodeId) {
    return "ensemble.fleet." + nodeId + ".usage";
  }

  /**
   * Cluster-wide, request-reply to one member: its health in brief — {@code {node_id, status: ok|degraded, started_at,
   * listen, keys_disabled, rate_limits}} — for every member's line in {@code /admin/status}.
   */
  public static String fleetHealth(String nodeId) {
    return "ensemble.fleet." + nodeId + ".health";
  }

  /** Cluster-wide, request-reply to one member: a response id, answered like {@link #PERSIST_RESPONSE_GET} from its own store. */
  public static String fleetResponse(String nodeId) {
    return "ensemble.fleet." + nodeId + ".response";
  }

  /**
   * Local, published by the pool verticle of {@code provider} once applied (the request path hands it over in the
   * pool's {@link Inbox}): the {@link dev.ensemble.pools.AttemptOutcome} of every attempt, for observers (cluster
   * bridge, metrics).
   */
  public static String poolOutcome(String provider) {
    return "ensemble.pool." + provider + ".outcome";
  }

  /**
   * Local, published by the cluster bridge: an {@link dev.ensemble.pools.AttemptOutcome} of {@code provider} on
   * another node; the pool applies its cooldown and key rejection, not its counters or circuit.
   */
  public static String poolPeerOutcome(String provider) {
    return "ensemble.pool." + provider + ".peer.outcome";
  }

  /**
   * Request-reply: the pool of {@code provider} forgets what it learnt of its endpoints — counters, open
   * circuits, cooldowns, disabled keys — as after a restart, and replies when done.
   */
  public static String poolReset(String provider) {
    return "ensemble.pool." + provider + ".reset";
  }

  /**
   * Request-reply: a {@link dev.ensemble.pools.KeySet}, every admin-added key of {@code provider}; its pool
   * serves them next to the config file's keys from now on and replies when the new endpoints are routable.
   */
  public static String poolKeys(String provider) {
    return "ensemble.pool." + provider + ".keys";
  }

  /**
   * Request-reply: {@code {key, disabled}} — the key state the fleet agreed on (an operator's disable/enable); the
   * pool of {@code provider} disables or re-enables every endpoint of that key (re-enabling also clears a rejection
   * by the provider, which every node learnt over {@link #CLUSTER_OUTCOME}).
   */
  public static String poolKeyState(String provider) {
    return "ensemble.pool." + provider + ".key.state";
  }

  /** Request-reply: the pool of {@code provider} answers with its endpoints' health as JSON. */
  public static String poolStatus(String provider) {
    return "ensemble.pool." + provider + ".status";
  }
}
