package dev.ensemble.config;

/**
 * {@code responses:} — where completed responses are persisted.
 *
 * @param maxPending answers that may wait for the store at once; past that, answers their clients received whole
 *                   are not stored (those whose clients left always are)
 */
public record ResponsesConfig(Store store, String localDir, S3 s3, int maxPending) {

  public enum Store { LOCAL, S3 }

  /** {@code responses.s3:} — an S3 or S3-compatible bucket; {@code endpoint} empty means AWS. */
  public record S3(String bucket, String region, String endpoint, String prefix, boolean pathStyle) {}
}
