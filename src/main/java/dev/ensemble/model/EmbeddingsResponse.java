package dev.ensemble.model;

import io.vertx.core.json.JsonArray;

/**
 * Embeddings as an upstream returned them: {@code data} holds one OpenAI-format embedding object per input
 * ({@code {"object":"embedding","index":i,"embedding":[...] or "<base64>"}}), in input order; {@code usage.input}
 * is the input tokens the provider reported (null if it did not).
 */
public record EmbeddingsResponse(JsonArray data, Usage usage) {}
