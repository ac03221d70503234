package dev.ensemble.config;

/** The wire format a provider speaks ({@code providers.<name>.type}). */
public enum ProviderType {
  OPENAI("https://api.openai.com/v1", true),
  ANTHROPIC("https://api.anthropic.com", true),
  GEMINI("https://generativelanguage.googleapis.com", true),
  BEDROCK("", false),
  VERTEX("", true),
  MOCK("", false);

  private final String defaultBaseUrl;
  private final boolean needsKey;

  ProviderType(String defaultBaseUrl, boolean needsKey) {
    this.defaultBaseUrl = defaultBaseUrl;
    this.needsKey = needsKey;
  }

  /** The base URL as the provider's official SDK names it (OpenAI's includes {@code /v1}). */
  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** Whether an endpoint of this type is unusable without an API key. */
  public boolean needsKey() {
    return needsKey;
  }
}
