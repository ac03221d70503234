package dev.ensemble.ingress;

import dev.ensemble.cache.CachePolicy;
import dev.ensemble.cache.Embedder;
import dev.ensemble.cache.FleetCacheStats;
import dev.ensemble.cache.Lookup;
import dev.ensemble.cache.ResponseCache;
import dev.ensemble.config.ResponseCacheConfig;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Audits of the response cache: {@code audit_sample_rate} of hits are asked upstream again in the background (a
 * real {@link ChatExchange}, billed to no client, its ledger row marked {@code AUDIT}), and the cached and fresh
 * answers are compared by the cosine of their embeddings (the policy's embedder; the built-in one for exact
 * policies). Each audit is a line of the node's audit log and one of the fleet's recent audits ({@link FleetCacheStats}),
 * a point of the drift metric and of the threshold bands;
 * below {@value #AGREEMENT} similarity the answers count as disagreeing. Never delays or fails the client's answer.
 */
final class CacheAuditor {

  /** Answers at least this similar agree. */
  static final double AGREEMENT = 0.85;
  private static final int EXCERPT = 400;
  private static final Logger LOG = LoggerFactory.getLogger(CacheAuditor.class);

  private final ResponseCache cache;
  private final FleetCacheStats log;
  private final Function<String, Embedder> embedders;
  private final ClientDialect dialect;
  private ChatLauncher launcher;

  CacheAuditor(ResponseCache cache, FleetCacheStats log, Function<String, Embedder> embedders, ClientDialect dialect) {
    this.cache = cache;
    this.log = log;
    this.embedders = embedders;
    this.dialect = dialect;
  }

  void bind(ChatLauncher launcher) {
    this.launcher = launcher;
  }

  void maybeAudit(Vertx vertx, Lookup hit, UnifiedRequest request, RouteConfig route) {
    double rate = hit.policy().config().auditSampleRate();
    if (rate <= 0 || ThreadLocalRandom.current().nextDouble() >= rate) {
      return;
    }
    long now = System.currentTimeMillis();
    ResponseContext context = new ResponseContext("audit-" + RequestIds.next(now), request.model(), now / 1000);
    CapturingChannel channel = new CapturingChannel();
    try {
      launcher.reask(vertx, channel, dialect, route, request.toBuilder().stream(false).includeUsage(false).build(), context);
    } catch (RuntimeException e) {
      LOG.debug("cache audit of {} not started: {}", hit.policy().id(), e.toString());
      return;
    }
    channel.answer().compose(fresh -> compare(hit, fresh).compose(similarity -> vertx.executeBlocking(() -> {
      record(hit, context.requestId(), fresh, similarity);
      return null;
    }, true))).onFailure(e -> LOG.debug("cache audit of {} failed: {}", hit.policy().id(), e.toString()));
  }

  private Future<Double> compare(Lookup hit, UnifiedResponse fresh) {
    String cached = hit.entry().answer().text();
    String now = fresh.text();
    if (cached.equals(now)) {
      return Future.succeededFuture(1.0);
    }
    ResponseCacheConfig config = hit.policy().config();
    Embedder embedder = embedders.apply(config.semantic() ? config.embedder() : ResponseCacheConfig.LOCAL_EMBEDDER);
    return embedder.embed(cached).compose(a -> embedder.embed(now).map(b -> Embedder.cosine(a, b)));
  }

  private void record(Lookup hit, String auditId, UnifiedResponse fresh, double similarity) {
    CachePolicy policy = hit.policy();
    boolean agreed = similarity >= AGREEMENT;
    cache.meters().audit(policy, similarity, agreed);
    cache.bands().audit(hit.similarity(), agreed);
    log.audited(new JsonObject()
        .put("at", Instant.now().toString())
        .put("audit_id", auditId)
        .put("policy", policy.id())
        .put("status", hit.status().name())
        .put("hit_similarity", hit.similarity())
        .put("prompt", excerpt(hit.fingerprint().lastUserText()))
        .put("cached_prompt", excerpt(hit.entry().prompt()))
        .put("cached_answer", excerpt(hit.entry().answer().text()))
        .put("fresh_answer", excerpt(fresh.text()))
        .put("answer_similarity", similarity)
        .put("agreed", agreed)
        .put("entry_age_seconds", hit.entry().ageSeconds(System.currentTimeMillis())));
  }

  private static String excerpt(String text) {
    return text == null || text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "…";
  }
}
