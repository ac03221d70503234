package dev.ensemble.providers.mock;

import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in {@code mock} provider of the shipped {@code conf/ensemble.yaml} serves {@code mock-1} (a model
 * without {@code kind}) on every route a model without kind serves: chat as before, embeddings (hashed unit
 * vectors, floats or base64, billed in the ledger) and image generation (decodable PNGs, as {@code b64_json} or as
 * {@code data:} URLs), the same answer for the same request.
 */
class MockProviderIT {

  private static final String ADMIN_KEY = "admin-mock-provider-0123456789";

  @RegisterExtension static GatewayExtension gateway = GatewayExtension.fromFile(Path.of("conf/ensemble.yaml"),
      Map.of("ENSEMBLE_PORT", "0", "ENSEMBLE_ADMIN_KEY", ADMIN_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void embeddingsOfMock1AreOneUnitVectorPerInputOfTheDefaultDimension() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "mock-1")
        .put("input", new JsonArray().add("hello world").add("the quick brown fox").add("hello world")));

    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals("list", body.getString("object"));
    assertEquals("mock-1", body.getString("model"));
    JsonArray data = body.getJsonArray("data");
    assertEquals(3, data.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, data.getJsonObject(i).getInteger("index"));
      assertEquals("embedding", data.getJsonObject(i).getString("object"));
      assertEquals(256, data.getJsonObject(i).getJsonArray("embedding").size());
      assertEquals(1.0, length(floats(data.getJsonObject(i).getJsonArray("embedding"))), 1e-5);
    }
    assertEquals(data.getJsonObject(0).getJsonArray("embedding"), data.getJsonObject(2).getJsonArray("embedding"));
    assertNotEquals(data.getJsonObject(0).getJsonArray("embedding"), data.getJsonObject(1).getJsonArray("embedding"));
    // ceil(11 / 4) + ceil(19 / 4) + ceil(11 / 4) = 3 + 5 + 3
    assertEquals(11, body.getJsonObject("usage").getInteger("prompt_tokens"));
    assertEquals("mock", r.headers().firstValue("x-ensemble-provider").orElseThrow());

    Object[] row = ledger(r.headers().firstValue("x-ensemble-request-id").orElseThrow());
    assertEquals(11L, row[0]);
    assertEquals(200, row[1]);
    assertEquals("mock-1", row[2]);
  }

  @Test
  void theSameInputGetsTheSameVectorAcrossRequestsAndAnotherInputAnother() throws Exception {
    JsonArray first = embedding(new JsonObject().put("model", "mock-1").put("input", "same text").put("dimensions", 16));
    JsonArray again = embedding(new JsonObject().put("model", "mock-1").put("input", "same text").put("dimensions", 16));
    JsonArray other = embedding(new JsonObject().put("model", "mock-1").put("input", "Same text").put("dimensions", 16));
    JsonArray tokenIds = embedding(new JsonObject().put("model", "mock-1").put("input", new JsonArray().add(1).add(2).add(3)).put("dimensions", 16));

    assertEquals(16, first.size());
    assertEquals(first, again);
    assertNotEquals(first, other);
    assertEquals(16, tokenIds.size());
    assertEquals(1.0, length(floats(tokenIds)), 1e-5);
  }

  @Test
  void base64EmbeddingsAreTheLittleEndianFloatsOfTheFloatAnswer() throws Exception {
    JsonObject request = new JsonObject().put("model", "mock-1").put("input", "encode me").put("dimensions", 32);
    JsonArray floats = embedding(request.copy().put("encoding_format", "float"));
    HttpResponse<String> r = post("/v1/embeddings", request.copy().put("encoding_format", "base64"));

    assertEquals(200, r.statusCode(), r.body());
    String encoded = new JsonObject(r.body()).getJsonArray("data").getJsonObject(0).getString("embedding");
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    float[] decoded = new float[bytes.remaining() / Float.BYTES];
    for (int i = 0; i < decoded.length; i++) {
      decoded[i] = bytes.getFloat();
    }
    assertEquals(32, decoded.length);
    for (int i = 0; i < decoded.length; i++) {
      assertEquals(floats.getNumber(i).floatValue(), decoded[i], 0f);
    }
  }

  @Test
  void tooManyDimensionsIsA400InOpenAisFormat() throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", new JsonObject().put("model", "mock-1").put("input", "x").put("dimensions", 100000));

    assertEquals(400, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getJsonObject("error").getString("message").contains("dimensions"), r.body());
  }

  @Test
  void imagesOfMock1AreDecodablePngsAsBase64AndAsDataUrls() throws Exception {
    HttpResponse<String> b64 = post("/v1/images/generations", new JsonObject().put("model", "mock-1").put("prompt", "a red fox")
        .put("n", 3).put("response_format", "b64_json"));
    HttpResponse<String> urls = post("/v1/images/generations", new JsonObject().put("model", "mock-1").put("prompt", "a red fox").put("n", 2));

    assertEquals(200, b64.statusCode(), b64.body());
    JsonObject body = new JsonObject(b64.body());
    assertTrue(body.getLong("created") > 0, "created is the gateway's time: " + body);
    JsonArray data = body.getJsonArray("data");
    assertEquals(3, data.size());
    BufferedImage first = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(data.getJsonObject(0).getString("b64_json"))));
    assertNotNull(first);
    assertEquals(64, first.getWidth());
    for (int i = 1; i < 3; i++) {
      assertNotNull(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(data.getJsonObject(i).getString("b64_json")))));
    }

    assertEquals(200, urls.statusCode(), urls.body());
    JsonArray linked = new JsonObject(urls.body()).getJsonArray("data");
    assertEquals(2, linked.size());
    String url = linked.getJsonObject(0).getString("url");
    assertTrue(url.startsWith("data:image/png;base64,"), url);
    String png = url.substring("data:image/png;base64,".length());
    assertNotNull(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(png))));
    assertEquals(data.getJsonObject(0).getString("b64_json"), png, "the same prompt draws the same first image");

    Object[] row = ledger(b64.headers().firstValue("x-ensemble-request-id").orElseThrow());
    assertEquals(200, row[1]);
    assertEquals(3, row[3]);
  }

  @Test
  void chatWithMock1StillEchoesTheUserMessage() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", new JsonObject().put("model", "mock-1")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello!"))));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("Hello from Ensemble's mock model 'mock-1'. You said: Hello!",
        new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
  }

  private JsonArray embedding(JsonObject request) throws Exception {
    HttpResponse<String> r = post("/v1/embeddings", request);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
  }

  private static float[] floats(JsonArray values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.getNumber(i).floatValue();
    }
    return out;
  }

  private static double length(float[] vector) {
    double sum = 0;
    for (float v : vector) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ledger row of a request: input tokens, status, upstream model, images. */
  private Object[] ledger(String requestId) throws Exception {
    // the usage endpoint flushes the ledger's queue before it reads
    HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, usage.statusCode(), usage.body());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT input_tokens, status, upstream_model, images"
             + " FROM usage_ledger WHERE request_id = '" + requestId + "'")) {
      assertTrue(rs.next(), "no ledger row for " + requestId);
      return new Object[] {rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getInt(4)};
    }
  }
}
