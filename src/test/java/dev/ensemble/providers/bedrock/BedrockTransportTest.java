package dev.ensemble.providers.bedrock;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.testing.fake.FakeBedrock;
import dev.ensemble.testing.fake.FakeBedrockExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicStreamDecoder;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The transport with the real AWS SDK client against {@link FakeBedrock}. */
class BedrockTransportTest {

  private static final String MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0";

  @RegisterExtension @Order(1) static FakeBedrockExtension fake = new FakeBedrockExtension();

  private static Vertx vertx;
  private static BedrockTransport transport;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    transport = new BedrockTransport(vertx, "us-east-1", Duration.ofSeconds(10), false);
  }

  @AfterAll
  static void stop() throws Exception {
    transport.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void invokesWithTheAnthropicBodySignedForTheEndpointsRegion() throws Exception {
    fake.enqueue(Reply.text("Hello from Bedrock").usage(10, 4, 2048, 0));

    Result result = await(() -> transport.send(HttpMethod.POST, url(false), headers("eu-west-3", "AKIDEXAMPLE:secret"), body(), 5000)
        .compose(r -> r.fullBody().map(b -> new Result(r, b))));

    assertEquals(200, result.response().status());
    JsonObject message = new JsonObject(result.body());
    assertEquals("Hello from Bedrock", message.getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals(2048, message.getJsonObject("usage").getInteger("cache_read_input_tokens"));
    RecordedRequest recorded = fake.lastRequest();
    assertEquals("eu-west-3", FakeBedrock.signedRegion(recorded));
    assertEquals("AKIDEXAMPLE", FakeBedrock.signedAccessKey(recorded));
    assertEquals(MODEL, FakeBedrock.modelId(recorded));
    assertEquals("/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke", recorded.path());
    assertNull(recorded.header(BedrockTransport.REGION_HEADER));
    assertNull(recorded.header(BedrockTransport.CREDENTIALS_HEADER));
    assertEquals(new JsonObject(body()), recorded.json());
  }

  @Test
  void sendsTheSessionTokenOfATemporaryKey() throws Exception {
    await(() -> transport.send(HttpMethod.POST, url(false), headers("us-east-1", "ASIAEXAMPLE:secret:token-123"), body(), 5000)
        .compose(UpstreamResponse::fullBody));

    assertEquals("token-123", fake.lastRequest().header("x-amz-security-token"));
  }

  @Test
  void streamsChunksAsAnthropicSseFrames() throws Exception {
    fake.enqueue(Reply.text("one two three").usage(7, 3, 0, 1024));

    List<StreamEvent> events = await(() -> transport.send(HttpMethod.POST, url(true), headers("us-west-2", "AKID:SECRET"), body(), 5000)
        .compose(BedrockTransportTest::decode));

    assertInstanceOf(StreamEvent.ResponseStart.class, events.get(0));
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> e instanceof StreamEvent.BlockDelta).forEach(e -> text.append(((StreamEvent.BlockDelta) e).text()));
    assertEquals("one two three", text.toString());
    StreamEvent.ResponseEnd end = assertInstanceOf(StreamEvent.ResponseEnd.class, events.get(events.size() - 1));
    assertEquals(7L, end.usage().input());
    assertEquals(1024L, end.usage().cacheWrite());
    assertEquals("us-west-2", FakeBedrock.signedRegion(fake.lastRequest()));
    assertTrue(fake.lastRequest().path().endsWith("/invoke-with-response-stream"));
  }

  @Test
  void anExceptionInsideTheStreamBecomesAnAnthropicErrorEvent() throws Exception {
    fake.enqueue(Reply.text("partial answer here").midStreamError(3, "ModelStreamErrorException", "the model broke"));

    List<StreamEvent> events = await(() -> transport.send(HttpMethod.POST, url(true), headers("us-east-1", "AKID:SECRET"), body(), 5000)
        .compose(BedrockTransportTest::decode));

    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(events.size() - 1));
    assertTrue(error.error().getMessage().contains("ModelStreamErrorException"), error.error().getMessage());
    assertTrue(error.error().retryable());
  }

  @Test
  void throttlingIsA429NamingTheException() throws Exception {
    fake.enqueue(Reply.error(429, "ThrottlingException", "Too many requests, please wait before trying again."));

    Result result = await(() -> transport.send(HttpMethod.POST, url(false), headers("us-east-1", "AKID:SECRET"), body(), 5000)
        .compose(r -> r.fullBody().map(b -> new Result(r, b))));

    assertEquals(429, result.response().status());
    assertEquals("ThrottlingException", result.response().headers().get(BedrockErrors.ERROR_TYPE_HEADER));
    assertEquals("ThrottlingException", new JsonObject(result.body()).getString("type"));
    assertEquals("Too many requests, please wait before trying again.", new JsonObject(result.body()).getString("message"));
  }

  @Test
  void aStreamRefusedBeforeItStartsIsAnErrorResponse() throws Exception {
    fake.enqueue(Reply.error(503, "ServiceUnavailableException", "unavailable"));

    Result result = await(() -> transport.send(HttpMethod.POST, url(true), headers("us-east-1", "AKID:SECRET"), body(), 5000)
        .compose(r -> r.fullBody().map(b -> new Result(r, b))));

    assertEquals(503, result.response().status());
    assertEquals("ServiceUnavailableException", new JsonObject(result.body()).getString("type"));
  }

  @Test
  void rejectedCredentialsAreA403() throws Exception {
    fake.server().acceptKeys("AKIDGOOD");

    Result result = await(() -> transport.send(HttpMethod.POST, url(false), headers("us-east-1", "AKIDBAD:SECRET"), body(), 5000)
        .compose(r -> r.fullBody().map(b -> new Result(r, b))));

    assertEquals(403, result.response().status());
    assertEquals("UnrecognizedClientException", new JsonObject(result.body()).getString("type"));
  }

  @Test
  void aMalformedKeyIsA403WithoutCallingBedrock() throws Exception {
    Result result = await(() -> transport.send(HttpMethod.POST, url(false), headers("us-east-1", "AKID-WITHOUT-SECRET:"), body(), 5000)
        .compose(r -> r.fullBody().map(b -> new Result(r, b))));

    assertEquals(403, result.response().status());
    assertEquals("InvalidCredentialsFormat", new JsonObject(result.body()).getString("type"));
    assertEquals(0, fake.server().requestCount());
  }

  @Test
  void aCutStreamEndsWithItsFirstEventsButNeverLooksComplete() throws Exception {
    fake.enqueue(Reply.text("this answer never ends properly").cutAfterEvents(3));
    StreamDecoder decoder = new AnthropicStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();

    Throwable failure = awaitFailure(() -> transport.send(HttpMethod.POST, url(true), headers("us-east-1", "AKID:SECRET"), body(), 5000)
        .compose(r -> r.fullBody()).map(all -> {
          events.addAll(decoder.feed(all));
          events.addAll(decoder.finish());
          return all;
        }));

    assertNull(failure, "the SDK ends the body where the connection was cut");
    assertInstanceOf(StreamEvent.ResponseStart.class, events.get(0), "the events before the cut arrive: " + events);
    assertFalse(decoder.completed(), "without its terminal event the answer is incomplete: " + events);
  }

  @Test
  void noAnswerWithinTheFirstByteTimeoutFails() throws Exception {
    fake.enqueue(Reply.hang());

    Throwable failure = awaitFailure(() -> transport.send(HttpMethod.POST, url(true), headers("us-east-1", "AKID:SECRET"), body(), 300));

    assertInstanceOf(TimeoutException.class, failure);
  }

  private record Result(UpstreamResponse response, Buffer body) {}

  private static Future<List<StreamEvent>> decode(UpstreamResponse response) {
    Promise<List<StreamEvent>> done = Promise.promise();
    StreamDecoder decoder = new AnthropicStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    response.body().handler(chunk -> events.addAll(decoder.feed(chunk)));
    response.body().exceptionHandler(done::tryFail);
    response.body().endHandler(v -> {
      events.addAll(decoder.finish());
      done.tryComplete(events);
    });
    response.body().resume();
    return done.future();
  }

  private String url(boolean stream) {
    return fake.baseUrl() + BedrockAdapter.path(MODEL, stream);
  }

  private static MultiMap headers(String region, String key) {
    return MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json").add("accept", "application/json")
        .add(BedrockTransport.REGION_HEADER, region).add(BedrockTransport.CREDENTIALS_HEADER, key);
  }

  private static Buffer body() {
    return new JsonObject().put("anthropic_version", "bedrock-2023-05-31").put("max_tokens", 64)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).toBuffer();
  }

  private static <T> T await(java.util.function.Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    vertx.runOnContext(v -> action.get().onComplete(promise));
    return promise.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Throwable awaitFailure(java.util.function.Supplier<Future<?>> action) throws Exception {
    Promise<Throwable> promise = Promise.promise();
    vertx.runOnContext(v -> action.get().onComplete(ar -> promise.complete(ar.failed() ? ar.cause() : null)));
    return promise.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
