package dev.ensemble.clients;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Gateway client keys: {@code ens_} followed by 32 base62 characters from a {@link SecureRandom} (about 190
 * bits of entropy), and the SHA-256 hex digest that is all Ensemble ever stores of them.
 *
 * <p>A plain, unsalted SHA-256 is the right tool here, unlike for passwords: a key is 190 random bits, not a
 * human-chosen secret, so neither a dictionary nor a brute-force search over the key space can invert its
 * hash, and a slow, salted KDF (bcrypt, scrypt, Argon2) would only cost CPU on every request. Being
 * deterministic, the digest also serves as the lookup key of the {@link ClientDirectory}.
 */
public final class ClientKeys {

  public static final String PREFIX = "ens_";
  static final int RANDOM_CHARS = 32;
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private ClientKeys() {
  }

  /** A new key, shown to its client once and never stored. */
  public static String generate(SecureRandom random) {
    return PREFIX + randomBase62(random, RANDOM_CHARS);
  }

  /** {@code n} uniformly random base62 characters. */
  public static String randomBase62(SecureRandom random, int n) {
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      out.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    return out.toString();
  }

  /** The lower-case hex SHA-256 of the key's UTF-8 bytes: what the {@code clients} table keeps. */
  public static String hash(String key) {
    return HexFormat.of().formatHex(digest(key));
  }

  static byte[] digest(String key) {
    MessageDigest sha256 = SHA256.get();
    sha256.reset();
    return sha256.digest(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * One SHA-256 instance per thread (the event loops authenticate every request): {@code MessageDigest.getInstance}
   * looks the provider up each time, and an instance is not thread-safe. Each thread's instance is only touched by it.
   */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  });
}
