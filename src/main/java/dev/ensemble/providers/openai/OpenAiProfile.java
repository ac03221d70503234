package dev.ensemble.providers.openai;

import dev.ensemble.config.BuiltInKind;
import dev.ensemble.config.ProviderType;
import dev.ensemble.wire.openai.UpstreamOptions;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One member of the OpenAI-compatible family: a provider kind served by {@link OpenAiAdapter} with its own
 * request headers and quirks (its default base URL and whether it needs a key are the kind's, {@link BuiltInKind}). A {@code type: openai} provider uses the profile of its kind;
 * a kind that is not listed here ({@code anthropic} or {@code gemini} through their OpenAI-compatible
 * endpoints, say) is treated as OpenAI itself, without its Responses API ({@link #OPENAI_COMPATIBLE}).
 *
 * @param kind                   the provider kind ({@code providers.<name>.kind})
 * @param headers                headers sent on every request; the provider's {@code headers:} override them
 * @param maxTokensField         {@code max_completion_tokens} where the upstream takes it, else {@code max_tokens}
 * @param streamUsage            whether streams may send {@code stream_options: {include_usage: true}}
 * @param cacheControlModels     upstream model id prefixes whose requests keep {@code cache_control} on content
 *                               parts (OpenRouter forwards them to Anthropic and Gemini); empty: never
 * @param usageInclude           whether requests ask for usage accounting ({@code usage: {include: true}}),
 *                               which makes OpenRouter report the cost it charged
 * @param takesProviderPreferences whether the {@code provider} routing object may be sent (OpenRouter)
 * @param responsesApi           whether the upstream also serves OpenAI's Responses API ({@code POST /responses}) with its
 *                               built-in tools, background mode, stored prompts and encrypted reasoning (OpenAI itself)
 */
public record OpenAiProfile(
    String kind, Map<String, String> headers, String maxTokensField, boolean streamUsage,
    List<String> cacheControlModels, boolean usageInclude, boolean takesProviderPreferences, boolean responsesApi) {

  private static final String MAX_COMPLETION_TOKENS = "max_completion_tokens";
  private static final String MAX_TOKENS = "max_tokens";

  public static final OpenAiProfile OPENAI = new OpenAiProfile("openai", Map.of(),
      MAX_COMPLETION_TOKENS, true, List.of(), false, false, true);
  /** Another vendor's OpenAI-compatible endpoint (Anthropic's, Google's, ...): OpenAI's Chat Completions, no Responses API. */
  public static final OpenAiProfile OPENAI_COMPATIBLE = new OpenAiProfile("openai", Map.of(),
      MAX_COMPLETION_TOKENS, true, List.of(), false, false, false);
  /** The built-in mock provider: Chat Completions only. */
  public static final OpenAiProfile MOCK = new OpenAiProfile("mock", Map.of(),
      MAX_COMPLETION_TOKENS, true, List.of(), false, false, false);
  /** xAI documents {@code max_completion_tokens} ({@code max_tokens} is deprecated there). */
  public static final OpenAiProfile XAI = new OpenAiProfile("xai", Map.of(),
      MAX_COMPLETION_TOKENS, true, List.of(), false, false, false);
  public static final OpenAiProfile FIREWORKS = new OpenAiProfile("fireworks",
      Map.of(), MAX_TOKENS, true, List.of(), false, false, false);
  /** Attribution names the gateway unless the provider's {@code headers:} set {@code HTTP-Referer} / {@code X-Title}. */
  public static final OpenAiProfile OPENROUTER = new OpenAiProfile("openrouter",
      Map.of("X-Title", "Ensemble"), MAX_TOKENS, true, List.of("anthropic/", "google/"), true, true, false);
  /** SGLang and vLLM: both take {@code max_tokens}. */
  public static final OpenAiProfile SELF_HOSTED = new OpenAiProfile("self_hosted", Map.of(),
      MAX_TOKENS, true, List.of(), false, false, false);

  private static final List<OpenAiProfile> ALL = List.of(OPENAI, XAI, FIREWORKS, OPENROUTER, SELF_HOSTED);

  public OpenAiProfile {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    cacheControlModels = List.copyOf(cacheControlModels);
  }

  /**
   * The profile of {@code kind}; {@link #OPENAI} for a kind without one of its own, except that only OpenAI itself is
   * taken to serve the Responses API (another vendor's OpenAI-compatible endpoint is Chat Completions only).
   */
  public static OpenAiProfile of(String kind) {
    for (OpenAiProfile profile : ALL) {
      if (profile.kind.equals(kind)) {
        return profile;
      }
    }
    return kind == null ? OPENAI : OPENAI_COMPATIBLE;
  }

  /** The base URL, {@code /v1} included, when the config names none; empty when there is none (self-hosted servers). */
  public String defaultBaseUrl() {
    return BuiltInKind.of(ProviderType.OPENAI, kind).defaultBaseUrl();
  }

  /** Whether an endpoint without an API key is unusable. */
  public boolean needsKey() {
    return BuiltInKind.of(ProviderType.OPENAI, kind).needsKey();
  }

  /** Whether requests for {@code upstreamModel} keep their {@code cache_control} markers. */
  public boolean passesCacheControl(String upstreamModel) {
    for (String prefix : cacheControlModels) {
      if (upstreamModel != null && upstreamModel.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The encoder options for one request to {@code upstreamModel}, with the provider's routing preferences. */
  public UpstreamOptions options(String upstreamModel, JsonObject providerPreferences) {
    return new UpstreamOptions(maxTokensField, streamUsage, passesCacheControl(upstreamModel), usageInclude,
        takesProviderPreferences ? providerPreferences : null);
  }
}
