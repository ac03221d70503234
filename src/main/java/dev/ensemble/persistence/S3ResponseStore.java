package dev.ensemble.persistence;

import dev.ensemble.config.ResponsesConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Responses as objects {@code <prefix><UTC day>/<id>.json} in an S3 bucket (each the record's JSON, written by
 * {@link RecordJson}: the body's bytes as the client got them), or an S3-compatible store when
 * {@code responses.s3.endpoint} is set ({@code path_style: true} for stores without virtual-hosted buckets,
 * such as MinIO or S3Proxy). Uses the AWS SDK's async client, so no call blocks the caller; results come back on
 * {@code context}. Credentials come from the SDK's default chain: the {@code aws.accessKeyId} /
 * {@code aws.secretAccessKey} system properties, {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY},
 * web identity, the shared {@code ~/.aws} profile, then container or instance credentials.
 */
public final class S3ResponseStore implements ResponseStore {

  /** Threads of the store's own Netty event loop: enough for a few hundred concurrent writes. */
  private static final int IO_THREADS = 2;

  private final S3AsyncClient client;
  private final SdkEventLoopGroup eventLoops;
  private final DefaultCredentialsProvider credentials;
  private final ResponsesConfig.S3 config;
  private final Context context;
  /** Writes each record's JSON; used under its own lock (saves come from the persistence verticle's context). */
  private final RecordJson json = new RecordJson();

  private S3ResponseStore(S3AsyncClient client, SdkEventLoopGroup eventLoops, DefaultCredentialsProvider credentials,
      ResponsesConfig.S3 config, Context context) {
    this.client = client;
    this.eventLoops = eventLoops;
    this.credentials = credentials;
    this.config = config;
    this.context = context;
  }

  /** Builds the client (no network call yet); slow the first time, so call it from a worker. */
  public static S3ResponseStore open(ResponsesConfig.S3 config, Context context) {
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().numberOfThreads(IO_THREADS).build();
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(eventLoops))
        .region(Region.of(config.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(config.pathStyle());
    if (!config.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    return new S3ResponseStore(builder.build(), eventLoops, credentials, config, context);
  }

  @Override
  public Optional<String> keyOf(String id) {
    return ResponseKeys.of(id).map(key -> config.prefix() + key);
  }

  @Override
  public Future<String> save(ResponseRecord record) {
    Optional<String> key = keyOf(record.id());
    if (key.isEmpty()) {
      return Future.failedFuture(new IOException("invalid response id " + record.id()));
    }
    PutObjectRequest put = PutObjectRequest.builder().bucket(config.bucket()).key(key.get()).contentType("application/json").build();
    byte[] bytes;
    try {
      synchronized (json) {
        bytes = json.json(record);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.fromCompletionStage(client.putObject(put, AsyncRequestBody.fromBytesUnsafe(bytes)), context)
        .map(key.get());
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public Future<Optional<ResponseRecord>> load(String id, String storeKey) {
    Optional<String> key = keyOf(id);
    if (key.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    GetObjectRequest get = GetObjectRequest.builder().bucket(config.bucket()).key(key.get()).build();
    return Future.fromCompletionStage(client.getObject(get, AsyncResponseTransformer.toBytes()), context)
        .map(bytes -> Optional.of(ResponseRecord.fromJson(new JsonObject(bytes.asString(StandardCharsets.UTF_8)))))
        .recover(err -> isMissing(err) ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(err));
  }

  @Override
  public Future<Void> delete(String id, String storeKey) {
    Optional<String> key = keyOf(id);
    if (key.isEmpty()) {
      return Future.succeededFuture();
    }
    DeleteObjectRequest delete = DeleteObjectRequest.builder().bucket(config.bucket()).key(key.get()).build();
    return Future.fromCompletionStage(client.deleteObject(delete), context).mapEmpty();
  }

  private static boolean isMissing(Throwable err) {
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    return cause instanceof NoSuchKeyException || cause instanceof S3Exception s3 && s3.statusCode() == 404;
  }

  @Override
  public JsonObject describe() {
    return new JsonObject().put("type", "s3").put("bucket", config.bucket()).put("region", config.region())
        .put("endpoint", config.endpoint().isBlank() ? null : config.endpoint()).put("prefix", config.prefix())
        .put("path_style", config.pathStyle());
  }

  /** Closes the client; its event loop stops without the SDK's default two-second quiet period (nothing is in flight by now). */
  @Override
  public Future<Void> close() {
    client.close();
    credentials.close();
    eventLoops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS);
    return Future.succeededFuture();
  }
}
