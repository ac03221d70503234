package dev.ensemble.providers.vertex;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Google service account as a Vertex key holds it: the key's {@code api_key} is the service account's JSON key
 * file, either its text (starting with <code>{</code>, e.g. from an environment variable) or the path of the file.
 * Its {@code token_uri} is where access tokens are fetched (tests point it at a fake).
 *
 * @param credentials scoped to {@link #SCOPE}
 * @param projectId   the {@code project_id} the JSON names, or null
 */
public record ServiceAccount(GoogleCredentials credentials, String projectId) {

  public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  /**
   * Reads a key's {@code api_key}. Blocking when it is a path: call it at start-up or on a worker thread.
   *
   * @throws IllegalArgumentException naming the problem, never the key's content
   */
  public static ServiceAccount load(String apiKey) {
    String value = apiKey == null ? "" : apiKey.trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    byte[] json;
    if (value.startsWith("{")) {
      json = value.getBytes(StandardCharsets.UTF_8);
    } else {
      try {
        json = Files.readAllBytes(Path.of(value));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("is neither a service-account JSON key nor a readable file holding one ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    ServiceAccountCredentials account;
    try (InputStream in = new ByteArrayInputStream(json)) {
      account = ServiceAccountCredentials.fromStream(in);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("is not a usable service-account JSON key: " + e.getMessage());
    }
    String project = account.getProjectId();
    return new ServiceAccount(account.createScoped(List.of(SCOPE)), project == null || project.isBlank() ? null : project);
  }
}
