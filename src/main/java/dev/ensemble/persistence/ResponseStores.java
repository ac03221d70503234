package dev.ensemble.persistence;

import dev.ensemble.config.ResponsesConfig;
import io.vertx.core.Context;

import java.nio.file.Path;
import java.time.Clock;

/** The {@link ResponseStore} {@code responses.store} names. */
public final class ResponseStores {

  private ResponseStores() {
  }

  /** Opens the configured store; its futures complete on {@code context}. Call from a worker (the S3 client is slow to build). */
  public static ResponseStore open(ResponsesConfig config, Context context) {
    return switch (config.store()) {
      case LOCAL -> new LocalResponseStore(Path.of(config.localDir()), config.journal().fsyncIntervalMs(), config.retentionDays(),
          Clock.systemUTC(), context);
      case S3 -> S3ResponseStore.open(config.s3(), context);
    };
  }
}
