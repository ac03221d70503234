package dev.ensemble.routing.affinity;

/**
 * The cache checkpoints of one request, as parallel arrays (no boxing): {@code lookupHashes[i]} is the
 * fingerprint of a prompt prefix of about {@code lookupTokens[i]} tokens that may already be cached,
 * longest first; {@code writeHashes[i]} / {@code writeTokens[i]} are the prefixes the provider will cache
 * when this request is served, longest first. Checkpoints under the provider's minimum are left out, so any
 * array may be empty. The arrays are owned by this record: callers must not modify them.
 *
 * @param promptTokens the estimated tokens of the whole prompt (see {@link PrefixFingerprinter})
 */
public record Fingerprints(long[] lookupHashes, int[] lookupTokens, long[] writeHashes, int[] writeTokens,
                           int promptTokens) {

  public Fingerprints {
    if (lookupHashes.length != lookupTokens.length || writeHashes.length != writeTokens.length) {
      throw new IllegalArgumentException("hash and token arrays must have the same length");
    }
  }

  public int lookupCount() {
    return lookupHashes.length;
  }

  public int writeCount() {
    return writeHashes.length;
  }
}
