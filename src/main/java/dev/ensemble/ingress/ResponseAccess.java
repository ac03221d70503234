package dev.ensemble.ingress;

/**
 * Who may read a persisted response: the admin every one, a client its own; an anonymous response is readable by
 * anyone only while the node does not require client keys. Everyone else is told there is no such response.
 */
final class ResponseAccess {

  private final boolean requireClientKeys;

  ResponseAccess(boolean requireClientKeys) {
    this.requireClientKeys = requireClientKeys;
  }

  boolean mayRead(Caller caller, String owner) {
    if (caller.admin()) {
      return true;
    }
    if (owner == null) {
      return !requireClientKeys;
    }
    return caller.account() != null && owner.equals(caller.account().clientId());
  }
}
