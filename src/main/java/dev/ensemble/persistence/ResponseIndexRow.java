package dev.ensemble.persistence;

import java.time.Instant;

/**
 * One row of the {@code responses} table: what is known of a stored response without reading the store.
 *
 * @param storeKey where the response is in its store (relative path or object key)
 */
public record ResponseIndexRow(String id, String status, String clientId, String model, String provider, Instant createdAt,
    Instant completedAt, String storeKey) {

  public static ResponseIndexRow of(ResponseRecord record, String storeKey) {
    return new ResponseIndexRow(record.id(), record.status().wireName(), record.clientId(), record.model(), record.provider(),
        record.createdAt(), record.completedAt(), storeKey);
  }
}
