package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.PlainRequestReader.LIMIT_NAME_END;
import static dev.ensemble.wire.openai.PlainRequestReader.LIMIT_NAME_START;
import static dev.ensemble.wire.openai.PlainRequestReader.MODEL_END;
import static dev.ensemble.wire.openai.PlainRequestReader.MODEL_START;
import static dev.ensemble.wire.openai.PlainRequestReader.OBJECT_END;
import static dev.ensemble.wire.openai.PlainRequestReader.STREAM_OPTIONS_END;
import static dev.ensemble.wire.openai.PlainRequestReader.STREAM_OPTIONS_START;
import static dev.ensemble.wire.openai.PlainRequestReader.USAGE_ASKED;

import dev.ensemble.model.ClientBody;
import dev.ensemble.wire.BodySplice;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * The upstream request for an OpenAI-format upstream made from a plain client body ({@link PlainRequestReader}): the
 * client's bytes with only what {@link UpstreamRequestEncoder} would change spliced in, so the upstream gets the same
 * JSON (the same fields, values and strings; the client's field order, spacing and number spelling). What the encoder
 * changes in a plain body, and so what is spliced:
 * <ul>
 *   <li>the model's value: the endpoint's model id;</li>
 *   <li>the output limit's name, when the client's ({@code max_tokens} / {@code max_completion_tokens}) is not the
 *       upstream's ({@link UpstreamOptions#maxTokensField()});</li>
 *   <li>a stream's {@code stream_options}: {@code {"include_usage":true}} where the upstream takes it, put in or in
 *       place of the client's;</li>
 *   <li>OpenRouter's {@code usage: {include: true}} and {@code provider} preferences, added at the end.</li>
 * </ul>
 * Everything else the encoder writes of a plain body is what the client sent (system messages first, string contents,
 * the sampling fields as given). Where a splice cannot say what the encoder would (a {@code stream_options} the
 * encoder would drop), it gives null and the request is encoded. Stateless.
 */
final class RequestSplice {

  private static final byte[] STREAM_USAGE = "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STREAM_OPTIONS_FIELD = ",\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_INCLUDE_FIELD = ",\"usage\":{\"include\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROVIDER_FIELD = ",\"provider\":".getBytes(StandardCharsets.US_ASCII);

  private RequestSplice() {
  }

  /** The upstream body, or null when the request must be encoded. */
  static Buffer splice(ClientBody client, boolean stream, String upstreamModel, UpstreamOptions options) {
    if (!"openai".equals(client.format())) {
      return null;
    }
    int[] marks = client.marks();
    byte[] in = client.bytes();
    boolean hasStreamOptions = marks[STREAM_OPTIONS_START] >= 0;
    boolean wantStreamOptions = stream && options.streamUsage();
    if (hasStreamOptions && !wantStreamOptions) {
      return null;
    }
    byte[] model = BodySplice.string(upstreamModel);
    byte[] limitName = null;
    if (marks[LIMIT_NAME_START] >= 0 && !named(in, marks[LIMIT_NAME_START], options.maxTokensField())) {
      limitName = BodySplice.string(options.maxTokensField());
    }
    byte[] provider = options.providerPreferences() == null ? null : options.providerPreferences().toBuffer().getBytes();
    // the spans replaced, in the order they come in the body (at most three)
    int[][] spans = new int[3][];
    byte[][] values = new byte[3][];
    int n = 0;
    spans[n] = new int[] {marks[MODEL_START], marks[MODEL_END]};
    values[n++] = model;
    if (limitName != null) {
      spans[n] = new int[] {marks[LIMIT_NAME_START], marks[LIMIT_NAME_END]};
      values[n++] = limitName;
    }
    if (hasStreamOptions && marks[USAGE_ASKED] != 1) {
      spans[n] = new int[] {marks[STREAM_OPTIONS_START], marks[STREAM_OPTIONS_END]};
      values[n++] = STREAM_USAGE;
    }
    for (int i = 1; i < n; i++) {
      for (int j = i; j > 0 && spans[j][0] < spans[j - 1][0]; j--) {
        int[] span = spans[j];
        spans[j] = spans[j - 1];
        spans[j - 1] = span;
        byte[] value = values[j];
        values[j] = values[j - 1];
        values[j - 1] = value;
      }
    }
    Buffer out = Buffer.buffer(in.length + model.length + 64 + (provider == null ? 0 : provider.length));
    int at = 0;
    for (int i = 0; i < n; i++) {
      out.appendBytes(in, at, spans[i][0] - at).appendBytes(values[i]);
      at = spans[i][1];
    }
    int end = marks[OBJECT_END];
    out.appendBytes(in, at, end - at);
    if (wantStreamOptions && !hasStreamOptions) {
      out.appendBytes(STREAM_OPTIONS_FIELD);
    }
    if (options.usageInclude()) {
      out.appendBytes(USAGE_INCLUDE_FIELD);
    }
    if (provider != null) {
      out.appendBytes(PROVIDER_FIELD).appendBytes(provider);
    }
    return out.appendBytes(in, end, in.length - end);
  }

  /** Whether the quoted field name at {@code start} is {@code name}. */
  private static boolean named(byte[] in, int start, String name) {
    if (start + name.length() + 1 >= in.length || in[start + name.length() + 1] != '"') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (in[start + 1 + i] != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
