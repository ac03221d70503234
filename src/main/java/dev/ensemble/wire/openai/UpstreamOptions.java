package dev.ensemble.wire.openai;

import io.vertx.core.json.JsonObject;

/**
 * What one OpenAI-compatible upstream accepts beyond the common Chat Completions body: the name of the
 * output-token limit, whether streams may ask for the usage chunk, whether {@code cache_control} markers may
 * ride on content parts, and OpenRouter's extras ({@code usage: {include: true}}, the {@code provider} routing
 * preferences). {@link #OPENAI} is OpenAI's own API.
 *
 * @param maxTokensField     {@code max_completion_tokens} (OpenAI, xAI) or {@code max_tokens}
 * @param streamUsage        send {@code stream_options: {include_usage: true}} on streamed requests
 * @param cacheControl       keep {@code cache_control} on system, user and tool-result content parts
 * @param usageInclude       send {@code usage: {include: true}} (OpenRouter usage accounting, with its cost)
 * @param providerPreferences OpenRouter's {@code provider} object, sent as given; null for none
 */
public record UpstreamOptions(
    String maxTokensField, boolean streamUsage, boolean cacheControl, boolean usageInclude, JsonObject providerPreferences) {

  public static final UpstreamOptions OPENAI = new UpstreamOptions("max_completion_tokens", true, false, false, null);

  public UpstreamOptions {
    providerPreferences = providerPreferences == null ? null : providerPreferences.copy();
  }
}
