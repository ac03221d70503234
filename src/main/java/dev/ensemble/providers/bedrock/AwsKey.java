package dev.ensemble.providers.bedrock;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * A Bedrock key entry's {@code api_key}: {@code ACCESS_KEY_ID:SECRET_ACCESS_KEY} or
 * {@code ACCESS_KEY_ID:SECRET_ACCESS_KEY:SESSION_TOKEN} (neither part of a key pair contains {@code ':'}).
 */
record AwsKey(String accessKeyId, String secretAccessKey, String sessionToken) {

  /** The key, or {@code null} when {@code value} is not in one of the two forms. */
  static AwsKey parse(String value) {
    if (value == null) {
      return null;
    }
    String[] parts = value.trim().split(":", 3);
    if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank() || (parts.length == 3 && parts[2].isBlank())) {
      return null;
    }
    return new AwsKey(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  AwsCredentials credentials() {
    return sessionToken == null
        ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
        : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken);
  }

  @Override
  public String toString() {
    return "AwsKey[" + accessKeyId + ":****]";
  }
}
