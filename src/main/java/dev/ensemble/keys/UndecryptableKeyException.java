package dev.ensemble.keys;

/** A stored provider key that {@link KeyVault} cannot decrypt; the message never contains key material. */
public final class UndecryptableKeyException extends RuntimeException {

  public UndecryptableKeyException(String message) {
    super(message, null, false, false);
  }
}
