package dev.ensemble.providers.contract;

import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A client of the gateway under contract: chat in both client formats, {@code /admin/status}, SSE bodies read back. */
final class ContractClient {

  /** One SSE frame: its {@code event:} name (null when it has none) and {@code data:}. */
  record Frame(String event, String data) {

    JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final GatewayExtension gateway;
  private final String adminKey;

  ContractClient(GatewayExtension gateway, String adminKey) {
    this.gateway = gateway;
    this.adminKey = adminKey;
  }

  /** {@code POST /v1/chat/completions}. */
  HttpResponse<String> openAi(JsonObject body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).header("content-type", "application/json"));
  }

  /** {@code POST /v1/messages}. */
  HttpResponse<String> anthropic(JsonObject body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).header("content-type", "application/json")
        .header("anthropic-version", "2023-06-01"));
  }

  /** {@code GET /admin/status}, which must answer 200. */
  JsonObject status() throws IOException, InterruptedException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/status"))
        .header("Authorization", "Bearer " + adminKey));
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /admin/status answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** The frames of an SSE body, in order. */
  static List<Frame> frames(String body) {
    List<Frame> frames = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
      if (event != null || data.length() > 0) {
        frames.add(new Frame(event, data.toString()));
      }
    }
    return frames;
  }

  static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
