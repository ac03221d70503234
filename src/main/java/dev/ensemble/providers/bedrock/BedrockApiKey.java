package dev.ensemble.providers.bedrock;

/**
 * A Bedrock key entry's {@code api_key} holding an Amazon Bedrock API key: a bearer token (long-term keys start
 * with {@code ABSK}, short-term ones with {@code bedrock-api-key-}), sent as {@code Authorization: Bearer} by the
 * SDK's {@code smithy.api#httpBearerAuth} scheme instead of a SigV4 signature. Any {@code api_key} without
 * {@code ':'} is taken for one (an access key pair always has one, a Bedrock API key never), so Bedrock itself
 * judges the prefix.
 */
record BedrockApiKey(String token) {

  /** The key, or {@code null} when {@code value} contains {@code ':'}, whitespace or control characters, or is blank. */
  static BedrockApiKey parse(String value) {
    if (value == null) {
      return null;
    }
    String token = value.trim();
    if (token.isEmpty()) {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == ':' || c <= ' ' || c == 0x7f) {
        return null;
      }
    }
    return new BedrockApiKey(token);
  }

  @Override
  public String toString() {
    return "BedrockApiKey[****]";
  }
}
