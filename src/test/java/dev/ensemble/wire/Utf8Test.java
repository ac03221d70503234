package dev.ensemble.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Utf8} accepts exactly what the JDK's strict UTF-8 decoder accepts, and never hands a parser a BOM or UTF-16. */
class Utf8Test {

  private static boolean jdkAccepts(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void acceptsWhatTheStrictDecoderAcceptsOnEdgeCasesAndRandomBytes() {
    byte[][] cases = {
        "{\"a\":\"plain\"}".getBytes(StandardCharsets.UTF_8), "héllo €𝄞 中文".getBytes(StandardCharsets.UTF_8),
        bytes(0xC0, 0x80), bytes(0xC1, 0xBF), bytes(0xC2, 0x80), bytes(0xE0, 0x9F, 0xBF), bytes(0xE0, 0xA0, 0x80),
        bytes(0xED, 0x9F, 0xBF), bytes(0xED, 0xA0, 0x80), bytes(0xED, 0xBF, 0xBF), bytes(0xEE, 0x80, 0x80),
        bytes(0xF0, 0x8F, 0xBF, 0xBF), bytes(0xF0, 0x90, 0x80, 0x80), bytes(0xF4, 0x8F, 0xBF, 0xBF), bytes(0xF4, 0x90, 0x80, 0x80),
        bytes(0xF5, 0x80, 0x80, 0x80), bytes(0xFF), bytes(0x80), bytes(0xE2, 0x82), bytes(0xF0, 0x9D, 0x84), bytes(0xC3)};
    for (byte[] c : cases) {
      assertEquals(jdkAccepts(c), Utf8.wellFormed(c), java.util.HexFormat.of().formatHex(c));
    }
    Random random = new Random(42);
    for (int round = 0; round < 200_000; round++) {
      byte[] b = new byte[1 + random.nextInt(6)];
      random.nextBytes(b);
      assertEquals(jdkAccepts(b), Utf8.wellFormed(b), java.util.HexFormat.of().formatHex(b));
    }
  }

  @Test
  void leavesByteOrderMarksAndZeroBytesUpFrontToTheTextPath() {
    assertFalse(Utf8.parsesAsIs(bytes(0xEF, 0xBB, 0xBF, '{', '}')));
    assertFalse(Utf8.parsesAsIs("{\u0000}".getBytes(StandardCharsets.UTF_8)));
    assertFalse(Utf8.parsesAsIs("{}".getBytes(StandardCharsets.UTF_16LE)));
    assertTrue(Utf8.parsesAsIs("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8)));
  }
}
