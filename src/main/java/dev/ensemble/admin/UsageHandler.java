package dev.ensemble.admin;

import dev.ensemble.bus.Addresses;
import dev.ensemble.persistence.UsageGroup;
import dev.ensemble.persistence.UsageQuery;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /admin/usage?from=ISO&to=ISO&group_by=provider,endpoint,model,client}: requests, tokens and cost
 * from the usage ledger over {@code [from, to)}, grouped by the listed columns (one total row when
 * {@code group_by} is absent). {@code from} defaults to 24 hours before {@code to}, {@code to} to now; both
 * take an ISO-8601 instant ({@code 2026-01-31T12:00:00Z}, an offset instead of {@code Z} is fine) or a UTC
 * date ({@code 2026-01-31}) from 1970 to 9999. Rows queued for the ledger before the call are counted. A bad
 * parameter is a 400 naming it (a query string that is not valid percent-encoding is refused before any handler
 * by the ingress).
 *
 * <p>On a clustered node the answer is the whole fleet's: every member answers from its own ledger over the
 * clustered event bus, the rows are summed per group, and {@code missing_nodes} names the members that did not
 * answer within {@value #MEMBER_TIMEOUT_MS} ms (their rows are absent), so the figure never silently under-reports.
 */
public final class UsageHandler implements Handler<RoutingContext> {

  private static final long ASK_TIMEOUT_MS = 30_000;
  private static final Duration DEFAULT_RANGE = Duration.ofHours(24);
  /** The instants the ledger can hold: epoch milliseconds of years 1970 to 9999. */
  private static final Instant EARLIEST = Instant.EPOCH;
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  /** How long a member of the fleet has to answer with its ledger before it is listed in {@code missing_nodes}. */
  static final long MEMBER_TIMEOUT_MS = 5_000;

  private final Clock clock;
  private final Supplier<JsonObject> cluster;

  /** @param cluster this node's cluster membership: with {@code members}, every member's ledger is asked and merged */
  public UsageHandler(Clock clock, Supplier<JsonObject> cluster) {
    this.clock = clock;
    this.cluster = cluster;
  }

  @Override
  public void handle(RoutingContext ctx) {
    UsageQuery query;
    try {
      query = parse(ctx);
    } catch (BadParameter e) {
      reply(ctx, 400, new JsonObject().put("error", new JsonObject().put("message", e.getMessage())
          .put("type", "invalid_request_error").put("param", e.param)));
      return;
    }
    JsonArray members = cluster.get().getJsonArray("members");
    if (members == null || members.isEmpty()) {
      ctx.vertx().eventBus().<JsonObject>request(Addresses.PERSIST_USAGE, query.toJson(), new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              reply(ctx, 200, ar.result().body().put("missing_nodes", new JsonArray()));
            } else {
              reply(ctx, 503, new JsonObject().put("error", new JsonObject().put("message", "The usage ledger could not be read")
                  .put("type", "api_error")));
            }
          });
      return;
    }
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (Object member : members) {
      answers.add(ctx.vertx().eventBus().<JsonObject>request(Addresses.fleetUsage((String) member), query.toJson(),
          new DeliveryOptions().setSendTimeout(MEMBER_TIMEOUT_MS)).map(Message::body));
    }
    Future.join(answers).onComplete(done -> {
      UsageRows merged = new UsageRows(query.groupBy());
      JsonArray missing = new JsonArray();
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i).succeeded()) {
          merged.add(answers.get(i).result().getJsonArray("rows", new JsonArray()));
        } else {
          missing.add(members.getValue(i));
        }
      }
      reply(ctx, 200, new JsonObject().put("rows", merged.toJson()).put("missing_nodes", missing));
    });
  }

  private UsageQuery parse(RoutingContext ctx) {
    Instant to = instant(ctx.request().getParam("to"), "to", clock.instant());
    Instant from = instant(ctx.request().getParam("from"), "from", to.minus(DEFAULT_RANGE));
    if (!from.isBefore(to)) {
      throw new BadParameter("from", "'from' (" + from + ") must be before 'to' (" + to + ")");
    }
    List<UsageGroup> groups = new ArrayList<>();
    String groupBy = ctx.request().getParam("group_by");
    if (groupBy != null && !groupBy.isBlank()) {
      for (String name : groupBy.split(",")) {
        UsageGroup g = UsageGroup.of(name.strip()).orElseThrow(() -> new BadParameter("group_by",
            "unknown group_by column '" + name.strip() + "'; allowed: provider, endpoint, model, client"));
        if (groups.contains(g)) {
          throw new BadParameter("group_by", "group_by column '" + name.strip() + "' is listed twice");
        }
        groups.add(g);
      }
    }
    return new UsageQuery(from, to, groups);
  }

  private static Instant instant(String value, String param, Instant absent) {
    if (value == null || value.isBlank()) {
      return absent;
    }
    try {
      Instant instant = value.length() == 10
          ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
          : OffsetDateTime.parse(value).toInstant();
      if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
        throw new BadParameter(param, "'" + param + "' must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z; got '" + value + "'");
      }
      return instant;
    } catch (DateTimeParseException e) {
      throw new BadParameter(param, "'" + param + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z or a date such as 2026-01-31; got '"
          + value + "'");
    }
  }

  private static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private static final class BadParameter extends RuntimeException {
    private final String param;

    BadParameter(String param, String message) {
      super(message, null, false, false);
      this.param = param;
    }
  }
}
