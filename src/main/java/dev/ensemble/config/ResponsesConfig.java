package dev.ensemble.config;

/** {@code responses:} — where completed responses are persisted. */
public record ResponsesConfig(Store store, String localDir, S3 s3) {

  public enum Store { LOCAL, S3 }

  /** {@code responses.s3:} — an S3 or S3-compatible bucket; {@code endpoint} empty means AWS. */
  public record S3(String bucket, String region, String endpoint, String prefix, boolean pathStyle) {}
}
