package dev.ensemble.ingress;

import dev.ensemble.routing.ModelRouter;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;

/**
 * {@code GET /v1/models}: the catalog in OpenAI's list format, or in Anthropic's when the client sends an
 * {@code anthropic-version} header (as Anthropic's SDKs do).
 */
final class ModelsHandler implements Handler<RoutingContext> {

  private final ModelRouter router;
  private final long startedAt;

  ModelsHandler(ModelRouter router, long startedAtEpochSeconds) {
    this.router = router;
    this.startedAt = startedAtEpochSeconds;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    boolean anthropic = ctx.request().getHeader("anthropic-version") != null;
    for (String name : router.modelNames()) {
      data.add(anthropic
          ? new JsonObject().put("type", "model").put("id", name).put("display_name", name)
              .put("created_at", Instant.ofEpochSecond(startedAt).toString())
          : new JsonObject().put("id", name).put("object", "model").put("created", startedAt).put("owned_by", "ensemble"));
    }
    JsonObject body = anthropic
        ? new JsonObject().put("data", data).put("has_more", false)
            .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
            .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        : new JsonObject().put("object", "list").put("data", data);
    ctx.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
