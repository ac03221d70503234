package dev.ensemble.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The bytes a client sent as its request body, kept with the {@link UnifiedRequest} read from them so that an upstream
 * speaking the same wire format is sent those bytes with only what the gateway changes spliced in, instead of a body
 * encoded again from the unified request. {@code marks} are byte positions the format's reader noted for its splice
 * (where the model's value is, where the object ends, ...); their meaning is that format's. Immutable by contract:
 * nobody writes either array after the reader made them (only the format's reader and splice read them).
 *
 * <p>A request that is changed after it was read (anything but its model: {@link UnifiedRequest.Builder#build()})
 * loses its body, so the bytes always say what the request says.
 *
 * @param format the client format ({@code openai})
 */
public record ClientBody(String format, byte[] bytes, int[] marks) {

  public ClientBody {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(marks, "marks");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientBody other && format.equals(other.format) && Arrays.equals(bytes, other.bytes)
        && Arrays.equals(marks, other.marks);
  }

  @Override
  public int hashCode() {
    return 31 * format.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "ClientBody[" + format + ", " + bytes.length + " bytes]";
  }
}
