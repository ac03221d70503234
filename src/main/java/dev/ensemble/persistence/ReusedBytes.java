package dev.ensemble.persistence;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The buffer a JSON generator writes one record's line into, reused from record to record with its array open to the
 * writer ({@link #buf}, the first {@link #count} bytes). A buffer grown past {@value #KEPT} bytes for one large record
 * is given back for a fresh {@value #INITIAL}-byte one at the next {@link #reset}.
 *
 * <p>Owned by the one thread that writes its records (the crash journal's writer, the response store's writer).
 */
final class ReusedBytes extends OutputStream {

  private static final int INITIAL = 16 * 1024;
  private static final int KEPT = 1 << 20;

  byte[] buf = new byte[INITIAL];
  int count;

  /** Starts a new record, with {@code reserved} bytes kept free at the front (for a prefix written afterwards). */
  void reset(int reserved) {
    if (buf.length > KEPT) {
      buf = new byte[INITIAL];
    }
    count = reserved;
  }

  @Override
  public void write(int b) {
    if (count == buf.length) {
      buf = Arrays.copyOf(buf, buf.length << 1);
    }
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (count + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length << 1, count + len));
    }
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }
}
