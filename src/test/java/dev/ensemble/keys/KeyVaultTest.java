package dev.ensemble.keys;

import dev.ensemble.config.Secret;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyVaultTest {

  private static final String API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";

  static Secret randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return new Secret(Base64.getEncoder().encodeToString(bytes));
  }

  private final KeyVault vault = KeyVault.of(randomKey());

  @Test
  void decryptsWhatItEncrypted() {
    String stored = vault.encrypt(API_KEY, "openai", "team-a");

    assertTrue(stored.startsWith("v1:"), stored);
    assertFalse(stored.contains(API_KEY));
    assertEquals(API_KEY, vault.decrypt(stored, "openai", "team-a"));
  }

  @Test
  void usesAFreshIvEveryTime() {
    assertNotEquals(vault.encrypt(API_KEY, "openai", "team-a"), vault.encrypt(API_KEY, "openai", "team-a"));
  }

  @Test
  void refusesATamperedCiphertext() {
    String stored = vault.encrypt(API_KEY, "openai", "team-a");
    String[] parts = stored.split(":");
    byte[] sealed = Base64.getDecoder().decode(parts[2]);
    sealed[3] ^= 1;
    String tampered = parts[0] + ":" + parts[1] + ":" + Base64.getEncoder().encodeToString(sealed);

    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt(tampered, "openai", "team-a"));
  }

  @Test
  void refusesACiphertextMovedToAnotherKey() {
    String stored = vault.encrypt(API_KEY, "openai", "team-a");

    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt(stored, "openai", "team-b"));
    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt(stored, "anthropic", "team-a"));
    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt(stored, "openaiteam-", "a"));
  }

  @Test
  void refusesAnotherEncryptionKey() {
    String stored = vault.encrypt(API_KEY, "openai", "team-a");

    assertThrows(UndecryptableKeyException.class, () -> KeyVault.of(randomKey()).decrypt(stored, "openai", "team-a"));
  }

  @Test
  void refusesMalformedCiphertexts() {
    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt("plain", "openai", "a"));
    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt("v1:!!:??", "openai", "a"));
    assertThrows(UndecryptableKeyException.class, () -> vault.decrypt("v2:AAAA:AAAA", "openai", "a"));
  }

  @Test
  void requiresThirtyTwoBytesOfBase64() {
    IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
        () -> KeyVault.of(new Secret(Base64.getEncoder().encodeToString(new byte[16]))));
    assertTrue(shortKey.getMessage().contains("must be 32 bytes of base64"), shortKey.getMessage());
    assertTrue(shortKey.getMessage().contains("16 bytes"), shortKey.getMessage());
    IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class, () -> KeyVault.of(new Secret("not base64!")));
    assertTrue(notBase64.getMessage().contains("not valid base64"), notBase64.getMessage());
  }
}
