package dev.ensemble.config;

/**
 * The wire format a provider speaks ({@code providers.<name>.type}). Defaults such as the base URL and whether a
 * key is needed belong to the provider's kind ({@link BuiltInKind#of}).
 */
public enum ProviderType {
  OPENAI,
  ANTHROPIC,
  GEMINI,
  BEDROCK,
  VERTEX,
  MOCK
}
