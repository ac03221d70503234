package dev.ensemble.clients;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.CostE10;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.ratelimit.EndpointLimits;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.ratelimit.SlidingWindowLog;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's view of its gateway clients, shared by every ingress instance and safe from any thread.
 *
 * <ul>
 *   <li>The {@link ClientDirectory} snapshot has one writer: the persistence verticle, which owns the
 *       {@code clients} table, sends a new one on {@link Addresses#CLIENTS_DIRECTORY} after every change
 *       (and once at start), and answers the admin API only after this registry has acknowledged it. Readers
 *       take the volatile snapshot, no lock.</li>
 *   <li>Spend this UTC calendar month, per client, in 10^-10 USD: seeded from the usage ledger with the
 *       first directory, then added to by whichever event loop finishes a request of that client
 *       ({@link #bill}), with an atomic update (many writers, like the rate limiters' cells). The ledger is
 *       written later, in batches; this counter is the up-to-date figure budgets are checked against.</li>
 *   <li>One {@link SlidingWindowLog} per client with an {@code rpm_limit}, created on first use.</li>
 *   <li>Each budgeted client's budget in 10^-10 USD (the unit of the spend it is compared with), made on its first
 *       check by whichever thread checks it and replaced whole when the client's budget is another.</li>
 * </ul>
 * In a fleet, the other nodes' spend per client arrives from the {@code SpendBoard} ({@link #peerSpent}, written by
 * Hazelcast's event thread into a concurrent map) and counts against the budget with this node's own; the
 * {@code rpm_limit} is counted exactly in Redis when the node has the shared limiter ({@link #shareLimitsThrough},
 * {@link #admitShared}: one Redis call per request of a limited client, like an endpoint's limit), else split evenly
 * over the live nodes ({@link #nodes(int)}, from the cluster bridge). The budget is read from local memory only:
 * admitting a request asks no other node for it.
 */
public final class ClientRegistry {

  private static final long WINDOW_MS = 60_000;

  private final Clock clock;
  private volatile ClientDirectory directory = ClientDirectory.EMPTY;
  private final Map<String, AtomicReference<MonthSpend>> spend = new ConcurrentHashMap<>();
  private final Map<String, SlidingWindowLog> rpm = new ConcurrentHashMap<>();
  /** Each budgeted client's budget in 10^-10 USD, made on its first check (and again when its budget changes). */
  private final Map<String, BudgetE10> budgets = new ConcurrentHashMap<>();
  private final Map<String, Map<String, MonthSpend>> peerSpend = new ConcurrentHashMap<>();
  private volatile int nodes = 1;
  private volatile RateLimiter shared;
  /**
   * The month of the last request: a cache of a pure function of the clock, replaced whole (never mutated) by whichever
   * thread first sees the month turn; a racing replacement is as correct as the one it replaces.
   */
  private volatile CurrentMonth current = new CurrentMonth(YearMonth.of(1970, 1), 0, 0);
  /** The prefix of a client's limit in the shared limiter (endpoint ids are counted there unprefixed). */
  static final String LIMIT_PREFIX = "client:";

  /** What one client spent in one month, in 10^-10 USD. */
  private record MonthSpend(YearMonth month, long e10) {}

  /** A client's monthly budget and the same in 10^-10 USD, rounded up. */
  private record BudgetE10(BigDecimal usd, long e10) {}

  public ClientRegistry(Clock clock) {
    this.clock = clock;
  }

  public ClientDirectory directory() {
    return directory;
  }

  /** The client this key belongs to, or null. */
  public Client authenticate(String key) {
    return directory.authenticate(key);
  }

  /** Receives the directory snapshots the persistence verticle sends, acknowledging each once applied. */
  public Future<MessageConsumer<JsonObject>> listen(EventBus bus) {
    MessageConsumer<JsonObject> consumer = bus.localConsumer(Addresses.CLIENTS_DIRECTORY, msg -> {
      apply(msg.body());
      msg.reply(directory.size());
    });
    return consumer.completion().map(consumer);
  }

  /**
   * Applies {@code {clients?: [...], month?: "2026-05", spent_e10?: {id: n}}}: the spend figures seed clients this
   * registry has no figure for yet (this node's own counts, which are ahead of the ledger, win); a new client
   * list replaces the snapshot and drops the state of removed clients.
   */
  void apply(JsonObject update) {
    String month = update.getString("month");
    JsonObject spent = update.getJsonObject("spent_e10", new JsonObject());
    if (month != null) {
      YearMonth m = YearMonth.parse(month);
      for (String id : spent.fieldNames()) {
        spend.putIfAbsent(id, new AtomicReference<>(new MonthSpend(m, spent.getLong(id))));
      }
    }
    JsonArray list = update.getJsonArray("clients");
    if (list == null) {
      return;
    }
    List<Client> clients = new ArrayList<>();
    for (Object c : list) {
      clients.add(Client.fromJson((JsonObject) c));
    }
    ClientDirectory next = new ClientDirectory(clients);
    ClientDirectory before = directory;
    directory = next;
    if (shared != null) {
      next.all().forEach(this::registerLimit);
      before.all().stream().filter(c -> next.byId(c.id()) == null).forEach(c -> shared.unregister(LIMIT_PREFIX + c.id()));
    }
    spend.keySet().removeIf(id -> next.byId(id) == null);
    rpm.keySet().removeIf(id -> next.byId(id) == null);
    budgets.keySet().removeIf(id -> next.byId(id) == null);
  }

  /** Adds a finished request's cost to its client's spend this month. */
  public void bill(String clientId, BigDecimal costUsd) {
    if (clientId == null || costUsd == null || costUsd.signum() == 0) {
      return;
    }
    long e10 = CostE10.of(costUsd);
    YearMonth now = thisMonth();
    spend.computeIfAbsent(clientId, id -> new AtomicReference<>(new MonthSpend(now, 0)))
        .updateAndGet(s -> s.month().equals(now) ? new MonthSpend(now, s.e10() + e10) : new MonthSpend(now, e10));
  }

  /** USD the client spent this UTC calendar month (requests finished so far), on this node and every other node heard of. */
  public BigDecimal spentThisMonth(String clientId) {
    long e10 = spentE10(clientId, thisMonth());
    return e10 == 0 ? BigDecimal.ZERO : CostE10.usd(e10);
  }

  /** {@link #spentThisMonth} in 10^-10 USD, without an allocation. */
  private long spentE10(String clientId, YearMonth now) {
    long e10 = 0;
    AtomicReference<MonthSpend> s = spend.get(clientId);
    if (s != null) {
      MonthSpend own = s.get();
      if (own.month().equals(now)) {
        e10 += own.e10();
      }
    }
    Map<String, MonthSpend> peers = peerSpend.get(clientId);
    if (peers != null) {
      for (MonthSpend p : peers.values()) {
        if (p.month().equals(now)) {
          e10 += p.e10();
        }
      }
    }
    return e10;
  }

  /** This node's own spend per client in the month it was counted: {@code client id -> "2026-05:<e10>"}. */
  public Map<String, String> ownSpend() {
    Map<String, String> out = new java.util.HashMap<>();
    spend.forEach((id, s) -> {
      MonthSpend m = s.get();
      out.put(id, m.month() + ":" + m.e10());
    });
    return out;
  }

  /** What the ledger {@code ledger} of another node counted for a client: {@code "2026-05:<e10>"}. */
  public void peerSpent(String clientId, String ledger, String monthAndE10) {
    int colon = monthAndE10.indexOf(':');
    MonthSpend m = new MonthSpend(YearMonth.parse(monthAndE10.substring(0, colon)), Long.parseLong(monthAndE10.substring(colon + 1)));
    peerSpend.computeIfAbsent(clientId, id -> new ConcurrentHashMap<>()).put(ledger, m);
  }

  /** The number of live nodes a client's {@code rpm_limit} is split over (without Redis). */
  public void nodes(int count) {
    nodes = Math.max(1, count);
  }

  /**
   * Admits one request of {@code client} or says why not: a spent monthly budget, or the client's
   * {@code rpm_limit} (with {@code Retry-After}). The budget is checked first and takes no slot of the limit.
   * Requests already running may take the spend past the budget; the next one is refused.
   */
  public GatewayError admit(Client client) {
    GatewayError spent = budgetRefusal(client);
    if (spent != null) {
      return spent;
    }
    return client.rpmLimit() == null ? null : localRate(client);
  }

  /**
   * {@link #admit}, with the {@code rpm_limit} counted exactly across nodes by the shared limiter when one is set
   * (Redis): then the answer waits for Redis; otherwise it is ready at once. Completes with the refusal or null.
   */
  public Future<GatewayError> admitShared(Client client) {
    GatewayError spent = budgetRefusal(client);
    if (spent != null || client.rpmLimit() == null || shared == null) {
      return Future.succeededFuture(spent != null ? spent : client.rpmLimit() == null ? null : localRate(client));
    }
    return shared.tryAdmit(LIMIT_PREFIX + client.id(), 0).map(admission -> admission.admitted() ? null
        : rateRefusal(client, Math.max(1, (admission.retryAfterMillis() + 999) / 1000)));
  }

  /** Whether {@link #admitShared} would ask the shared limiter (Redis) for this client's {@code rpm_limit}. */
  public boolean countsSharedLimitOf(Client client) {
    return client.rpmLimit() != null && shared != null;
  }

  /**
   * Counts every client's {@code rpm_limit} in {@code limiter} (the Redis limiter shared by the fleet), under
   * {@code client:<id>}, instead of on this node; a client is registered there as the directory brings it.
   */
  public void shareLimitsThrough(RateLimiter limiter) {
    this.shared = limiter;
    directory.all().forEach(this::registerLimit);
  }

  private void registerLimit(Client c) {
    if (shared != null) {
      shared.register(LIMIT_PREFIX + c.id(), new EndpointLimits(c.rpmLimit(), null));
    }
  }

  /**
   * The refusal when the client's spend this month reached its budget, else null. Compared in 10^-10 USD (the spend's
   * own unit; the budget rounded up to it, which for a whole number of units is the same comparison) without an
   * allocation; the message's figures are made only for a refusal.
   */
  private GatewayError budgetRefusal(Client client) {
    BigDecimal budget = client.monthlyBudgetUsd();
    if (budget == null) {
      return null;
    }
    YearMonth now = thisMonth();
    if (spentE10(client.id(), now) < budgetE10(client.id(), budget)) {
      return null;
    }
    BigDecimal spent = spentThisMonth(client.id());
    return new GatewayError(ErrorType.RATE_LIMITED, 429, "The monthly budget of $" + budget.toPlainString() + " for client '"
        + client.name() + "' is spent ($" + spent.toPlainString() + " this month); it renews on "
        + now.plusMonths(1).atDay(1) + " (UTC)", false, null, null);
  }

  /** The budget in 10^-10 USD, rounded up (at most {@link Long#MAX_VALUE}), made once per client and budget. */
  private long budgetE10(String clientId, BigDecimal budget) {
    BudgetE10 known = budgets.get(clientId);
    if (known != null && known.usd() == budget) {
      return known.e10();
    }
    BigInteger units = budget.setScale(CostE10.SCALE, RoundingMode.CEILING).unscaledValue();
    BudgetE10 made = new BudgetE10(budget, units.bitLength() < 64 ? units.longValue() : Long.MAX_VALUE);
    budgets.put(clientId, made);
    return made.e10();
  }

  private GatewayError localRate(Client client) {
    Instant now = clock.instant();
    {
      int share = Math.max(1, (client.rpmLimit() + nodes - 1) / nodes);
      SlidingWindowLog log = rpm.get(client.id());
      if (log == null || log.limit() != share) {
        log = rpm.compute(client.id(), (id, old) -> old != null && old.limit() == share ? old : new SlidingWindowLog(share, WINDOW_MS));
      }
      long millis = now.toEpochMilli();
      if (!log.tryAcquire(millis)) {
        return rateRefusal(client, Math.max(1, (log.retryAfterMillis(millis) + 999) / 1000));
      }
    }
    return null;
  }

  private static GatewayError rateRefusal(Client client, long retryAfterSeconds) {
    return new GatewayError(ErrorType.RATE_LIMITED, 429, "Client '" + client.name() + "' is over its limit of "
        + client.rpmLimit() + " requests per minute", true, retryAfterSeconds, null);
  }

  /** The UTC calendar month of an instant. */
  public static YearMonth month(Instant instant) {
    return YearMonth.from(instant.atZone(ZoneOffset.UTC));
  }

  /** The UTC calendar month of the clock's now: two comparisons while the month lasts, a calendar computation when it turns. */
  private YearMonth thisMonth() {
    long millis = clock.millis();
    CurrentMonth known = current;
    if (millis >= known.fromMillis() && millis < known.untilMillis()) {
      return known.month();
    }
    YearMonth month = month(Instant.ofEpochMilli(millis));
    current = new CurrentMonth(month, month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
        month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
    return month;
  }

  /** A month and its bounds in epoch milliseconds (UTC). */
  private record CurrentMonth(YearMonth month, long fromMillis, long untilMillis) {}
}
