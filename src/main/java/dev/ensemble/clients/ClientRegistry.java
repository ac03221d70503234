package dev.ensemble.clients;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.CostE10;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.ratelimit.SlidingWindowLog;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
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
 * </ul>
 * Spend and request counts are this node's; a cluster would need them shared (not done yet).
 */
public final class ClientRegistry {

  private static final long WINDOW_MS = 60_000;

  private final Clock clock;
  private volatile ClientDirectory directory = ClientDirectory.EMPTY;
  private final Map<String, AtomicReference<MonthSpend>> spend = new ConcurrentHashMap<>();
  private final Map<String, SlidingWindowLog> rpm = new ConcurrentHashMap<>();

  /** What one client spent in one month, in 10^-10 USD. */
  private record MonthSpend(YearMonth month, long e10) {}

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
   * Applies {@code {clients: [...], month: "2026-05", spent_e10: {id: n}}}: the new snapshot replaces the old
   * one; the spend figures seed clients this registry has no figure for yet (this node's own counts, which
   * are ahead of the ledger, win); state of removed clients is dropped.
   */
  void apply(JsonObject update) {
    List<Client> clients = new ArrayList<>();
    for (Object c : update.getJsonArray("clients", new JsonArray())) {
      clients.add(Client.fromJson((JsonObject) c));
    }
    ClientDirectory next = new ClientDirectory(clients);
    String month = update.getString("month");
    JsonObject spent = update.getJsonObject("spent_e10", new JsonObject());
    if (month != null) {
      YearMonth m = YearMonth.parse(month);
      for (String id : spent.fieldNames()) {
        spend.putIfAbsent(id, new AtomicReference<>(new MonthSpend(m, spent.getLong(id))));
      }
    }
    directory = next;
    spend.keySet().removeIf(id -> next.byId(id) == null);
    rpm.keySet().removeIf(id -> next.byId(id) == null);
  }

  /** Adds a finished request's cost to its client's spend this month. */
  public void bill(String clientId, BigDecimal costUsd) {
    if (clientId == null || costUsd == null || costUsd.signum() == 0) {
      return;
    }
    long e10 = CostE10.of(costUsd);
    YearMonth now = month(clock.instant());
    spend.computeIfAbsent(clientId, id -> new AtomicReference<>(new MonthSpend(now, 0)))
        .updateAndGet(s -> s.month().equals(now) ? new MonthSpend(now, s.e10() + e10) : new MonthSpend(now, e10));
  }

  /** USD the client spent this UTC calendar month (requests finished so far). */
  public BigDecimal spentThisMonth(String clientId) {
    AtomicReference<MonthSpend> s = spend.get(clientId);
    if (s == null) {
      return BigDecimal.ZERO;
    }
    MonthSpend current = s.get();
    return current.month().equals(month(clock.instant())) ? CostE10.usd(current.e10()) : BigDecimal.ZERO;
  }

  /**
   * Admits one request of {@code client} or says why not: a spent monthly budget, or the client's
   * {@code rpm_limit} (with {@code Retry-After}). The budget is checked first and takes no slot of the limit.
   * Requests already running may take the spend past the budget; the next one is refused.
   */
  public GatewayError admit(Client client) {
    Instant now = clock.instant();
    BigDecimal budget = client.monthlyBudgetUsd();
    if (budget != null) {
      BigDecimal spent = spentThisMonth(client.id());
      if (spent.compareTo(budget) >= 0) {
        return new GatewayError(ErrorType.RATE_LIMITED, 429, "The monthly budget of $" + budget.toPlainString() + " for client '"
            + client.name() + "' is spent ($" + spent.toPlainString() + " this month); it renews on "
            + month(now).plusMonths(1).atDay(1) + " (UTC)", false, null, null);
      }
    }
    if (client.rpmLimit() != null) {
      SlidingWindowLog log = rpm.computeIfAbsent(client.id(), id -> new SlidingWindowLog(client.rpmLimit(), WINDOW_MS));
      long millis = now.toEpochMilli();
      if (!log.tryAcquire(millis)) {
        long retryAfter = Math.max(1, (log.retryAfterMillis(millis) + 999) / 1000);
        return new GatewayError(ErrorType.RATE_LIMITED, 429, "Client '" + client.name() + "' is over its limit of "
            + client.rpmLimit() + " requests per minute", true, retryAfter, null);
      }
    }
    return null;
  }

  /** The UTC calendar month of an instant. */
  public static YearMonth month(Instant instant) {
    return YearMonth.from(instant.atZone(ZoneOffset.UTC));
  }
}
