package dev.ensemble.config;

/**
 * {@code responses:} — where completed responses are persisted.
 *
 * @param maxPending answers that may wait for the store at once; past that, answers their clients received whole
 *                   are not stored (those whose clients left always are)
 * @param journal    the crash journal of responses in flight
 * @param retentionDays how many whole UTC days of the {@code local} store are kept after the day a response
 *                   started; 0 keeps them forever
 */
public record ResponsesConfig(Store store, String localDir, S3 s3, int maxPending, Journal journal, int retentionDays) {

  /** The settings with the default journal next to {@code sqlitePath}, kept forever. */
  public ResponsesConfig(Store store, String localDir, S3 s3, int maxPending) {
    this(store, localDir, s3, maxPending, Journal.defaults(""), 0);
  }

  /** The settings kept forever. */
  public ResponsesConfig(Store store, String localDir, S3 s3, int maxPending, Journal journal) {
    this(store, localDir, s3, maxPending, journal, 0);
  }

  /**
   * {@code responses.journal:} — the append-only journal of responses in flight, read back after a crash.
   *
   * @param dir             its folder; empty means {@code journal/} next to {@code storage.sqlite_path}
   * @param fsyncIntervalMs how often written records are forced to disk: a crash of the machine (not just of the
   *                        process, whose writes the OS keeps) loses at most this much of the in-flight text
   * @param maxBytes        the journal's size on disk at which it is compacted to the responses still in flight;
   *                        records past twice this size are dropped (counted) until compaction frees room
   */
  public record Journal(String dir, long fsyncIntervalMs, long maxBytes) {
    public static final long DEFAULT_FSYNC_INTERVAL_MS = 1_000;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    public static Journal defaults(String dir) {
      return new Journal(dir, DEFAULT_FSYNC_INTERVAL_MS, DEFAULT_MAX_BYTES);
    }
  }

  public enum Store { LOCAL, S3 }

  /** {@code responses.s3:} — an S3 or S3-compatible bucket; {@code endpoint} empty means AWS. */
  public record S3(String bucket, String region, String endpoint, String prefix, boolean pathStyle) {}
}
