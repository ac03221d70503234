package dev.ensemble.keys;

import dev.ensemble.config.Secret;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts provider API keys for storage with AES-256-GCM under {@code storage.encryption_key}
 * ({@code ENSEMBLE_ENCRYPTION_KEY}, 32 bytes in base64): a random 12-byte IV per encryption, a 128-bit tag,
 * and the key's provider and name as associated data, so a ciphertext decrypts only as the key it was made
 * for. Stored as {@code v1:<base64 iv>:<base64 ciphertext+tag>}. Thread-safe: a cipher per call.
 */
public final class KeyVault {

  /** What {@code storage.encryption_key} must be, for error messages. */
  public static final String KEY_FORMAT = "must be 32 bytes of base64 (e.g. the output of `openssl rand -base64 32`) for AES-256-GCM";

  private static final String VERSION = "v1";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private KeyVault(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** A vault under {@code encryptionKey}; IllegalArgumentException naming the expected format if it is not one. */
  public static KeyVault of(Secret encryptionKey) {
    return new KeyVault(decodeKey(encryptionKey.value()));
  }

  /** The 32 key bytes of {@code base64}; IllegalArgumentException with {@link #KEY_FORMAT} otherwise. */
  public static byte[] decodeKey(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(KEY_FORMAT + "; it is not valid base64");
    }
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(KEY_FORMAT + "; it decodes to " + bytes.length + " bytes");
    }
    return bytes;
  }

  /** {@code apiKey} encrypted for the key {@code name} of {@code provider}. */
  public String encrypt(String apiKey, String provider, String name) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, iv, provider, name);
      byte[] sealed = cipher.doFinal(apiKey.getBytes(StandardCharsets.UTF_8));
      Base64.Encoder b64 = Base64.getEncoder();
      return VERSION + ":" + b64.encodeToString(iv) + ":" + b64.encodeToString(sealed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM: " + e, e);
    }
  }

  /**
   * The API key in {@code stored}, which must have been made by {@link #encrypt} for the same provider and
   * name under the same encryption key; {@link UndecryptableKeyException} otherwise (tampered, moved to
   * another key, or another encryption key).
   */
  public String decrypt(String stored, String provider, String name) {
    String[] parts = stored.split(":", -1);
    if (parts.length != 3 || !VERSION.equals(parts[0])) {
      throw new UndecryptableKeyException("not a v1 ciphertext");
    }
    try {
      byte[] iv = Base64.getDecoder().decode(parts[1]);
      byte[] sealed = Base64.getDecoder().decode(parts[2]);
      if (iv.length != IV_BYTES) {
        throw new UndecryptableKeyException("the IV is not " + IV_BYTES + " bytes");
      }
      return new String(cipher(Cipher.DECRYPT_MODE, iv, provider, name).doFinal(sealed), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new UndecryptableKeyException("authentication failed: another encryption key, or the ciphertext or its provider/name changed");
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new UndecryptableKeyException("malformed ciphertext: " + e.getClass().getSimpleName());
    }
  }

  private Cipher cipher(int mode, byte[] iv, String provider, String name) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
    cipher.updateAAD(associatedData(provider, name));
    return cipher;
  }

  /** Length-prefixed, so ("ab", "c") and ("a", "bc") differ. */
  private static byte[] associatedData(String provider, String name) {
    byte[] p = provider.getBytes(StandardCharsets.UTF_8);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return java.nio.ByteBuffer.allocate(8 + p.length + n.length).putInt(p.length).put(p).putInt(n.length).put(n).array();
  }
}
