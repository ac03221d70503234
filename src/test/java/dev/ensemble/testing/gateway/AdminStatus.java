package dev.ensemble.testing.gateway;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code GET /admin/status} of a node under test, and the parts of it tests look at. */
public final class AdminStatus {

  private AdminStatus() {
  }

  /** The node's status document, asserting a 200. */
  public static JsonObject fetch(HttpClient http, String baseUrl, String adminKey) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/status"))
        .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + adminKey).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /admin/status: " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** The entry of endpoint {@code id} of provider {@code provider}. */
  public static JsonObject endpoint(JsonObject status, String provider, String id) {
    for (Object p : status.getJsonArray("providers")) {
      JsonObject pool = (JsonObject) p;
      if (pool.getString("name").equals(provider)) {
        for (Object e : pool.getJsonArray("endpoints")) {
          if (((JsonObject) e).getString("id").equals(id)) {
            return (JsonObject) e;
          }
        }
      }
    }
    throw new AssertionError("no endpoint " + provider + "/" + id);
  }
}
