package dev.ensemble.providers.bedrock;

import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.providers.UpstreamTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.PayloadPart;
import software.amazon.awssdk.services.bedrockruntime.model.ResponseStream;
import software.amazon.awssdk.core.async.SdkPublisher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Calls Bedrock through the AWS SDK's {@link BedrockRuntimeAsyncClient}, which signs every request (SigV4), or sends
 * a key's {@link BedrockApiKey Bedrock API key} as its bearer token; one per provider, made and closed by its pool
 * verticle. Reads what to call from the {@link BedrockAdapter}'s path
 * ({@link InvokeTarget}: endpoint override, model id, streamed or not) and the region and key from the headers
 * {@link BedrockAuth} set; neither those headers nor anything else of the Vert.x request is sent as is.
 *
 * <p>Answers come back on the caller's context. A streamed answer's body is Anthropic SSE: each Bedrock
 * {@code chunk}, whose {@code bytes} are one Anthropic stream event, becomes {@code event: <type>\ndata: <json>\n\n};
 * an exception the stream carries becomes an Anthropic {@code event: error} and the end; a lost connection is the
 * body's exception. An error the SDK raises before the answer becomes a response with its HTTP status, the header
 * {@value BedrockErrors#ERROR_TYPE_HEADER} and {@code {"type": <exception name>, "message": ...}}, for
 * {@link BedrockErrors} to classify. A malformed key answers 403 {@code InvalidCredentialsFormat}.
 */
public final class BedrockTransport implements UpstreamTransport {

  public static final String REGION_HEADER = "x-ensemble-bedrock-region";
  public static final String CREDENTIALS_HEADER = "x-ensemble-bedrock-credentials";
  /** Chunks queued or requested from the SDK per stream, at most. */
  static final int PREFETCH = 16;

  private final Vertx vertx;
  private final String defaultRegion;
  private final BedrockClients clients;

  /**
   * @param readTimeout    the longest silence on an upstream connection
   * @param warmUpDefaults resolve the default credentials chain once now, on a worker thread, so the first call
   *                       without a key does not block an event loop reading profile files or instance metadata
   */
  public BedrockTransport(Vertx vertx, String defaultRegion, Duration readTimeout, boolean warmUpDefaults) {
    this.vertx = vertx;
    this.defaultRegion = defaultRegion;
    this.clients = new BedrockClients(readTimeout);
    if (warmUpDefaults) {
      vertx.executeBlocking(() -> clients.defaultCredentials().resolveCredentials());
    }
  }

  @Override
  public Future<UpstreamResponse> send(HttpMethod method, String absoluteUrl, MultiMap headers, Buffer body, long firstByteTimeoutMs) {
    Context context = vertx.getOrCreateContext();
    InvokeTarget target;
    BedrockRuntimeAsyncClient client;
    AwsRequestOverrideConfiguration credentials;
    try {
      target = InvokeTarget.parse(absoluteUrl);
      String region = headers.get(REGION_HEADER);
      String key = headers.get(CREDENTIALS_HEADER);
      AwsKey awsKey = key == null ? null : AwsKey.parse(key);
      BedrockApiKey apiKey = key == null || awsKey != null ? null : BedrockApiKey.parse(key);
      if (key != null && awsKey == null && apiKey == null) {
        return Future.succeededFuture(errorResponse(context, 403, "InvalidCredentialsFormat",
            "a Bedrock key is " + BedrockProvider.KEY_FORMS, MultiMap.caseInsensitiveMultiMap()));
      }
      String where = region == null || region.isBlank() ? defaultRegion : region;
      client = apiKey != null ? clients.bearerClient(where, target.endpointOverride(), apiKey)
          : awsKey != null ? clients.signingClient(where, target.endpointOverride()) : clients.client(where, target.endpointOverride());
      credentials = awsKey == null ? null
          : AwsRequestOverrideConfiguration.builder().credentialsProvider(StaticCredentialsProvider.create(awsKey.credentials())).build();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String contentType = headers.get("content-type");
    String accept = headers.get("accept");
    SdkBytes payload = SdkBytes.fromByteArrayUnsafe(body.getBytes());
    Promise<UpstreamResponse> result = Promise.promise();
    if (target.stream()) {
      stream(context, client, InvokeModelWithResponseStreamRequest.builder().modelId(target.modelId()).contentType(contentType)
          .accept(accept).body(payload).overrideConfiguration(credentials).build(), result, firstByteTimeoutMs);
    } else {
      invoke(context, client, InvokeModelRequest.builder().modelId(target.modelId()).contentType(contentType).accept(accept)
          .body(payload).overrideConfiguration(credentials).build(), result, firstByteTimeoutMs);
    }
    return result.future();
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      clients.close();
      return null;
    });
  }

  private void invoke(Context context, BedrockRuntimeAsyncClient client, InvokeModelRequest request, Promise<UpstreamResponse> result,
      long firstByteTimeoutMs) {
    CompletableFuture<InvokeModelResponse> call = client.invokeModel(request);
    long timer = vertx.setTimer(firstByteTimeoutMs, t -> {
      if (result.tryFail(new TimeoutException("no response from Bedrock within " + firstByteTimeoutMs + " ms"))) {
        call.cancel(true);
      }
    });
    call.whenComplete((response, error) -> context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      if (error != null) {
        failed(context, result, error);
        return;
      }
      BodyStream body = BodyStream.of(context, Buffer.buffer(response.body().asByteArrayUnsafe()));
      result.tryComplete(new Answer(200, headersOf(response.sdkHttpResponse()).set("content-type", "application/json"), body,
          () -> call.cancel(true)));
    }));
  }

  private void stream(Context context, BedrockRuntimeAsyncClient client, InvokeModelWithResponseStreamRequest request,
      Promise<UpstreamResponse> result, long firstByteTimeoutMs) {
    BodyStream body = new BodyStream(context, PREFETCH, BedrockTransport::errorFrame);
    CompletableFuture<?>[] call = new CompletableFuture<?>[1];
    Runnable cancel = () -> {
      body.cancel();
      if (call[0] != null) {
        call[0].cancel(true);
      }
    };
    long timer = vertx.setTimer(firstByteTimeoutMs, t -> {
      if (result.tryFail(new TimeoutException("no response from Bedrock within " + firstByteTimeoutMs + " ms"))) {
        cancel.run();
      }
    });
    InvokeModelWithResponseStreamResponseHandler handler = new InvokeModelWithResponseStreamResponseHandler() {
      @Override
      public void responseReceived(InvokeModelWithResponseStreamResponse response) {
        MultiMap headers = headersOf(response.sdkHttpResponse()).set("content-type", "text/event-stream");
        context.runOnContext(v -> {
          vertx.cancelTimer(timer);
          if (!result.tryComplete(new Answer(200, headers, body, cancel))) {
            cancel.run();
          }
        });
      }

      @Override
      public void onEventStream(SdkPublisher<ResponseStream> publisher) {
        publisher.map(BedrockTransport::frame).subscribe(body);
      }

      @Override
      public void exceptionOccurred(Throwable error) {
        context.runOnContext(v -> {
          vertx.cancelTimer(timer);
          if (result.future().isComplete()) {
            body.onError(unwrap(error));
          } else {
            failed(context, result, error);
          }
        });
      }

      @Override
      public void complete() {
      }
    };
    call[0] = client.invokeModelWithResponseStream(request, handler);
    call[0].whenComplete((ignored, error) -> {
      if (error != null) {
        handler.exceptionOccurred(error);
      }
    });
  }

  /** One Bedrock chunk as the Anthropic SSE frame it carries. */
  static Buffer frame(ResponseStream event) {
    if (!(event instanceof PayloadPart part) || part.bytes() == null) {
      return Buffer.buffer();
    }
    String json = part.bytes().asUtf8String();
    String type = "message";
    try {
      JsonObject parsed = new JsonObject(json);
      if (parsed.getValue("type") instanceof String t) {
        type = t;
      }
      if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
        json = parsed.encode();
      }
    } catch (RuntimeException notJson) {
      json = json.replace('\r', ' ').replace('\n', ' ');
    }
    return Buffer.buffer("event: " + type + "\ndata: " + json + "\n\n", StandardCharsets.UTF_8.name());
  }

  /** A Bedrock exception inside the stream as an Anthropic {@code event: error}; {@code null} for a lost connection. */
  static Buffer errorFrame(Throwable error) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof AwsServiceException e)) {
      return null;
    }
    String name = exceptionName(e);
    JsonObject data = new JsonObject().put("type", "error").put("error", new JsonObject()
        .put("type", BedrockErrors.streamErrorType(name)).put("message", name + ": " + message(e)));
    return Buffer.buffer("event: error\ndata: " + data.encode() + "\n\n");
  }

  /** The modelled exception's class name, else the error code Bedrock sent (e.g. {@code UnrecognizedClientException}). */
  static String exceptionName(AwsServiceException e) {
    if (e instanceof BedrockRuntimeException && e.getClass() != BedrockRuntimeException.class) {
      return e.getClass().getSimpleName();
    }
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return code != null && !code.isBlank() ? code : e.getClass().getSimpleName();
  }

  private static void failed(Context context, Promise<UpstreamResponse> result, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof AwsServiceException e) {
      MultiMap headers = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null
          ? MultiMap.caseInsensitiveMultiMap() : headersOf(e.awsErrorDetails().sdkHttpResponse());
      result.tryComplete(errorResponse(context, e.statusCode() > 0 ? e.statusCode() : 500, exceptionName(e), message(e), headers));
    } else {
      result.tryFail(cause);
    }
  }

  private static UpstreamResponse errorResponse(Context context, int status, String name, String message, MultiMap headers) {
    headers.set("content-type", "application/json").set(BedrockErrors.ERROR_TYPE_HEADER, name);
    Buffer body = new JsonObject().put("type", name).put("message", message).toBuffer();
    return new Answer(status, headers, BodyStream.of(context, body), () -> { });
  }

  private static String message(AwsServiceException e) {
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return message != null ? message : String.valueOf(e.getMessage());
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static MultiMap headersOf(SdkHttpResponse response) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
      headers.add(header.getKey(), header.getValue());
    }
    return headers;
  }

  private record Answer(int status, MultiMap headers, BodyStream stream, Runnable canceller) implements UpstreamResponse {
    @Override
    public ReadStream<Buffer> body() {
      return stream;
    }

    @Override
    public Future<Buffer> fullBody() {
      return stream.collect();
    }

    @Override
    public void cancel() {
      canceller.run();
    }
  }
}
