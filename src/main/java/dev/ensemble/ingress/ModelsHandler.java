package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.wire.ClientDialects;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;

/**
 * {@code GET /v1/models} (the catalog) and {@code GET /v1/models/{id}} (one model, as the SDKs' {@code models.retrieve}
 * asks): in OpenAI's format, or in Anthropic's when the client sends an {@code anthropic-version} header (as Anthropic's
 * SDKs do); {@code GET /v1beta/models} and {@code /v1beta/models/{id}} in Google's ({@code models.list} / {@code models.get}
 * of the GenAI SDKs). A model the catalog does not list is a 404 in that format. Stateless.
 */
final class ModelsHandler {

  private final ModelRouter router;
  private final long startedAt;
  private final ClientDialects dialects;

  ModelsHandler(ModelRouter router, long startedAtEpochSeconds, ClientDialects dialects) {
    this.router = router;
    this.startedAt = startedAtEpochSeconds;
    this.dialects = dialects;
  }

  void list(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    boolean anthropic = anthropic(ctx);
    for (String name : router.modelNames()) {
      data.add(model(name, anthropic));
    }
    JsonObject body = anthropic
        ? new JsonObject().put("data", data).put("has_more", false)
            .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
            .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        : new JsonObject().put("object", "list").put("data", data);
    ctx.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }

  void one(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!router.modelNames().contains(id)) {
      ErrorResponder.send(ctx.response(), dialects.forRequest(ctx.request().path(), ctx.request().headers()),
          new GatewayError(ErrorType.NOT_FOUND, 404, "The model '" + id + "' does not exist or is not served by this gateway", false, null, "model"));
      return;
    }
    ctx.response().putHeader("content-type", "application/json").end(model(id, anthropic(ctx)).toBuffer());
  }

  /** {@code GET /v1beta/models}: Google's {@code ListModelsResponse}, the whole catalog on one page. */
  void geminiList(RoutingContext ctx) {
    JsonArray models = new JsonArray();
    for (String name : router.modelNames()) {
      models.add(geminiModel(name));
    }
    ctx.response().putHeader("content-type", "application/json").end(new JsonObject().put("models", models).toBuffer());
  }

  /** {@code GET /v1beta/models/{id}}: Google's {@code Model}. */
  void geminiOne(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!router.modelNames().contains(id)) {
      ErrorResponder.send(ctx.response(), dialects.forRequest(ctx.request().path(), ctx.request().headers()),
          new GatewayError(ErrorType.NOT_FOUND, 404, "The model '" + id + "' does not exist or is not served by this gateway", false, null, "model"));
      return;
    }
    ctx.response().putHeader("content-type", "application/json").end(geminiModel(id).toBuffer());
  }

  /** A catalog model as Google's {@code Model}: the methods the Gemini routes serve for it (none for embedding or image models). */
  private JsonObject geminiModel(String name) {
    ModelKind kind = router.kindOf(name);
    JsonArray methods = kind == null || kind == ModelKind.CHAT
        ? new JsonArray().add("generateContent").add("streamGenerateContent").add("countTokens")
        : new JsonArray();
    return new JsonObject().put("name", "models/" + name).put("displayName", name).put("supportedGenerationMethods", methods);
  }

  private JsonObject model(String name, boolean anthropic) {
    return anthropic
        ? new JsonObject().put("type", "model").put("id", name).put("display_name", name).put("created_at", Instant.ofEpochSecond(startedAt).toString())
        : new JsonObject().put("id", name).put("object", "model").put("created", startedAt).put("owned_by", "ensemble");
  }

  private static boolean anthropic(RoutingContext ctx) {
    return ctx.request().getHeader("anthropic-version") != null;
  }
}
