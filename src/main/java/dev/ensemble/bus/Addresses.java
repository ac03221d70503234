package dev.ensemble.bus;

/** Every event-bus address Ensemble uses, built in one place so none is written inline. */
public final class Addresses {

  /** Published after every request: {@link dev.ensemble.routing.UsageReport}; the router learns endpoint load from it. */
  public static final String ROUTING_USAGE = "ensemble.routing.usage";

  /**
   * Request-reply: the router verticle answers with its state as JSON — affinity table size, cache
   * predictions, decisions by reason. Answered in order after every usage report published before it.
   */
  public static final String ROUTING_STATUS = "ensemble.routing.status";

  /** Sent after every answer that reached the client: a {@link dev.ensemble.persistence.ResponseRecord} to store. */
  public static final String PERSIST_RESPONSE = "ensemble.persist.response";

  /** Sent once per request after its last attempt: a {@link dev.ensemble.persistence.LedgerEntry} for the usage ledger. */
  public static final String PERSIST_LEDGER = "ensemble.persist.ledger";

  /** Request-reply: a response id; the reply is the stored response's JSON, or failure 404. */
  public static final String PERSIST_RESPONSE_GET = "ensemble.persist.response.get";
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
   * Request-reply: a new client with its key hash (never the key) as JSON; the persistence verticle inserts it
   * into {@code clients}, has the {@link #CLIENTS_DIRECTORY} updated, then replies.
   */
  public static final String PERSIST_CLIENT_CREATE = "ensemble.persist.client.create";

  /** Request-reply: a client id; removed like a create, or failure 404 when there is no such client. */
  public static final String PERSIST_CLIENT_DELETE = "ensemble.persist.client.delete";

  /**
   * Request-reply, local: the persistence verticle sends the whole client directory (JSON: clients with key
   * hashes, and at start each client's spend this month) to the node's
   * {@link dev.ensemble.clients.ClientRegistry}, which swaps its snapshot and replies.
   */
  public static final String CLIENTS_DIRECTORY = "ensemble.clients.directory";

  /**
   * Request-reply to the keys verticle: {@code POST /admin/keys}'s JSON body; the reply is the stored key,
   * masked, or a failure whose code is the HTTP status and whose message is the JSON error body.
   */
  public static final String KEYS_ADD = "ensemble.keys.add";

  /** Request-reply to the keys verticle: every provider key, config and admin, masked, as {@code {data: [...]}}. */
  public static final String KEYS_LIST = "ensemble.keys.list";

  /** Request-reply to the keys verticle: a key id to remove; failure 404 (unknown) or 409 (a config-file key). */
  public static final String KEYS_DELETE = "ensemble.keys.delete";

  /** Request-reply: the stored provider keys (ciphertext only) as {@code {keys: [...]}}. */
  public static final String PERSIST_KEYS_LIST = "ensemble.persist.keys.list";

  /** Request-reply: one provider key row (ciphertext only) to insert; failure 409 when its provider + name exists. */
  public static final String PERSIST_KEYS_INSERT = "ensemble.persist.keys.insert";

  /** Request-reply: a provider key id to delete; replies with whether a row went. */
  public static final String PERSIST_KEYS_DELETE = "ensemble.persist.keys.delete";

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

  /** Published after every upstream attempt on {@code provider}: {@link dev.ensemble.pools.AttemptOutcome}. */
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

  /** Request-reply: the pool of {@code provider} answers with its endpoints' health as JSON. */
  public static String poolStatus(String provider) {
    return "ensemble.pool." + provider + ".status";
  }
}
