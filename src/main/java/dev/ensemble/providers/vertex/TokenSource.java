package dev.ensemble.providers.vertex;

import com.google.auth.oauth2.AccessToken;

import java.io.IOException;

/** Fetches a fresh access token for a service account. Blocking: called on worker threads only. */
@FunctionalInterface
public interface TokenSource {

  AccessToken fetch(ServiceAccount account) throws IOException;

  /** Google's auth library: a JWT signed with the account's key, exchanged at its {@code token_uri}. */
  static TokenSource google() {
    return account -> account.credentials().refreshAccessToken();
  }
}
