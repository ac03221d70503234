package dev.ensemble.persistence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Responses as JSON files under {@code responses.local_dir}, one folder per UTC day of the request id's
 * timestamp ({@code 2026-11-22/<id>.json}). Writes go to a temporary file first and are moved into place,
 * so a reader never sees half a response. File calls block the (worker) caller; the futures are complete on return.
 */
public final class LocalResponseStore implements ResponseStore {

  private final Path root;

  public LocalResponseStore(Path root) {
    this.root = root;
  }

  @Override
  public Optional<String> keyOf(String id) {
    return ResponseKeys.of(id);
  }

  @Override
  public Future<Void> save(ResponseRecord record) {
    Optional<String> key = keyOf(record.id());
    if (key.isEmpty()) {
      return Future.failedFuture(new IOException("invalid response id " + record.id()));
    }
    Path file = root.resolve(key.get());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, record.toJson().toBuffer().getBytes());
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Optional<ResponseRecord>> load(String id) {
    Optional<String> key = keyOf(id);
    if (key.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    try {
      String json = Files.readString(root.resolve(key.get()), StandardCharsets.UTF_8);
      return Future.succeededFuture(Optional.of(ResponseRecord.fromJson(new JsonObject(json))));
    } catch (NoSuchFileException e) {
      return Future.succeededFuture(Optional.empty());
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> delete(String id) {
    Optional<String> key = keyOf(id);
    if (key.isEmpty()) {
      return Future.succeededFuture();
    }
    try {
      Files.deleteIfExists(root.resolve(key.get()));
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public JsonObject describe() {
    return new JsonObject().put("type", "local").put("local_dir", root.toAbsolutePath().toString());
  }
}
