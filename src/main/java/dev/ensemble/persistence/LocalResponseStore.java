package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Responses as JSON files under {@code responses.local_dir}, one folder per UTC day of the request id's
 * timestamp ({@code 2026-11-22/<id>.json}). Writes go to a temporary file first and are moved into place,
 * so a reader never sees half a response.
 */
public final class LocalResponseStore implements ResponseStore {

  private static final Pattern ID = Pattern.compile("[0-9a-z]{26}");
  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

  private final Path root;

  public LocalResponseStore(Path root) {
    this.root = root;
  }

  @Override
  public void save(ResponseRecord record) throws IOException {
    Path file = pathOf(record.id()).orElseThrow(() -> new IOException("invalid response id " + record.id()));
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, record.toJson().toBuffer().getBytes());
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public Optional<ResponseRecord> load(String id) throws IOException {
    Optional<Path> file = pathOf(id);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ResponseRecord.fromJson(new JsonObject(Files.readString(file.get(), StandardCharsets.UTF_8))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private Optional<Path> pathOf(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.empty();
    }
    long millis = 0;
    for (int i = 0; i < 10; i++) {
      millis = (millis << 5) | ALPHABET.indexOf(id.charAt(i));
    }
    String day = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate().toString();
    return Optional.of(root.resolve(day).resolve(id + ".json"));
  }
}
