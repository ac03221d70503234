package dev.ensemble.providers.mock;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;

/**
 * The mock's answer to an OpenAI {@code POST /images/generations} body: {@code n} images (1 when not sent, at
 * most 10), each a 64x64 PNG of one colour taken from a hash of the prompt and the image's index, whatever
 * {@code size} was asked. {@code response_format: b64_json} gives the PNG in base64; {@code url} (the default, as
 * for dall-e) a {@code data:image/png;base64,...} URL. Usage counts one input token per four characters of the
 * prompt and no output tokens. {@code created} is 0 (the gateway answers with its own), so the same request
 * always gets the same bytes. The PNG is encoded in memory (no ImageIO disk cache). Stateless; called on a worker thread ({@link MockTransport} keeps it off the event loop).
 */
final class MockImages {

  static final int SIDE = 64;
  static final int MAX_IMAGES = 10;

  private MockImages() {
  }

  static MockReply answer(JsonObject request) {
    String prompt = request.getValue("prompt") instanceof String p ? p : null;
    if (prompt == null || prompt.isEmpty()) {
      return MockReply.error(400, "invalid_request_error", "prompt is required: a non-empty string");
    }
    Object nValue = request.getValue("n", 1);
    if (!(nValue instanceof Integer n) || n < 1 || n > MAX_IMAGES) {
      return MockReply.error(400, "invalid_request_error", "n must be an integer from 1 to " + MAX_IMAGES);
    }
    boolean b64 = "b64_json".equals(request.getString("response_format"));
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      String png = Base64.getEncoder().encodeToString(png(colour(prompt, i)));
      data.add(b64 ? new JsonObject().put("b64_json", png) : new JsonObject().put("url", "data:image/png;base64," + png));
    }
    long tokens = Math.max(1, (prompt.length() + 3) / 4);
    return MockReply.ok(new JsonObject().put("created", 0).put("data", data)
        .put("usage", new JsonObject().put("input_tokens", tokens).put("output_tokens", 0).put("total_tokens", tokens)
            .put("input_tokens_details", new JsonObject().put("text_tokens", tokens).put("image_tokens", 0))));
  }

  /** An RGB colour from the prompt and the image's index (SplitMix64-mixed so near prompts differ visibly). */
  static int colour(String prompt, int index) {
    long x = prompt.hashCode() * 31L + index;
    x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return (int) ((x ^ (x >>> 31)) & 0xffffff);
  }

  static byte[] png(int rgb) {
    BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[SIDE];
    Arrays.fill(row, rgb);
    for (int y = 0; y < SIDE; y++) {
      image.setRGB(0, y, SIDE, 1, row, 0, SIDE);
    }
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(new IIOImage(image, null, null));
    } catch (IOException e) {
      throw new UncheckedIOException("encoding the mock's PNG", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
