package dev.ensemble.providers.bedrock;

import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.providers.ProviderKind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BedrockKeyFormsTest {

  @Test
  void aKeyWithoutColonIsABedrockApiKey() {
    assertEquals("ABSKQmVkcm9ja0FQSUtleS0x", BedrockApiKey.parse(" ABSKQmVkcm9ja0FQSUtleS0x ").token());
    assertEquals("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t", BedrockApiKey.parse("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t").token());
    assertNull(AwsKey.parse("ABSKQmVkcm9ja0FQSUtleS0x"));
  }

  @Test
  void anAccessKeyPairIsNoApiKey() {
    assertNull(BedrockApiKey.parse("AKIDEXAMPLE:secret"));
    assertNotNull(AwsKey.parse("AKIDEXAMPLE:secret"));
    assertNotNull(AwsKey.parse("AKIDEXAMPLE:secret:session"));
  }

  @Test
  void blanksSpacesAndControlCharactersAreNoApiKey() {
    assertNull(BedrockApiKey.parse("  "));
    assertNull(BedrockApiKey.parse("ABSK abc"));
    assertNull(BedrockApiKey.parse("ABSK\nabc"));
    assertNull(BedrockApiKey.parse(null));
  }

  @Test
  void theKeyNeverShowsInToString() {
    assertFalse(BedrockApiKey.parse("ABSKsecret-value").toString().contains("secret-value"));
  }

  @Test
  void accessKeyPairsApiKeysAndNoKeyAreValidConfigs() {
    for (String apiKey : new String[] {"AKIDEXAMPLE:secret", "AKIDEXAMPLE:secret:session-token", "ABSKQmVkcm9ja0FQSUtleS0x", ""}) {
      ProviderKind kind = assertDoesNotThrow(() -> BedrockProvider.kind(provider(apiKey)), apiKey);
      assertInstanceOf(BedrockAdapter.class, kind.adapter(), apiKey);
      assertInstanceOf(BedrockAuth.class, kind.auth(), apiKey);
    }
    assertEquals(new AwsKey("AKIDEXAMPLE", "secret", "session-token"), AwsKey.parse("AKIDEXAMPLE:secret:session-token"));
    assertEquals(new AwsKey("AKIDEXAMPLE", "secret", null), AwsKey.parse("AKIDEXAMPLE:secret"));
  }

  @Test
  void aKeyOfNeitherFormFailsAtStartWithItsPath() {
    ConfigException halfPair = assertThrows(ConfigException.class, () -> BedrockProvider.kind(provider("AKIDEXAMPLE:")));
    ConfigException spaced = assertThrows(ConfigException.class, () -> BedrockProvider.kind(provider("ABSK with-spaces")));

    assertEquals("providers.br.keys[0].api_key", halfPair.path());
    assertEquals("providers.br.keys[0].api_key", spaced.path());
    assertFalse(spaced.getMessage().contains("with-spaces"), "never echoes the key");
  }

  private static ProviderConfig provider(String apiKey) {
    String yaml = """
        providers:
          br:
            type: bedrock
            keys:
              - { name: k, api_key: "%s", endpoints: [ { id: br-1, region: us-east-1 } ] }
        models:
          m: { providers: [ { provider: br, model: anthropic.claude-sonnet-4-5-20250929-v1:0 } ] }
        """.formatted(apiKey);
    return new ConfigLoader(Map.of()).parse(yaml).providers().get("br");
  }
}
