package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

/** OpenAI {@code input_audio} parts: decoded into audio documents, and audio documents encoded back for OpenAI-format upstreams. */
class ContentPartAudioTest {

  private static final String WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";
  private static final String MP3 = "SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA";

  private final OpenAiRequestCodec codec = new OpenAiRequestCodec();

  private static JsonObject withAudio(Object inputAudio) {
    JsonObject part = new JsonObject().put("type", "input_audio");
    if (inputAudio != null) {
      part.put("input_audio", inputAudio);
    }
    return new JsonObject().put("model", "m").put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "what is said?")).add(part))));
  }

  private static JsonObject audio(Object data, Object format) {
    JsonObject audio = new JsonObject();
    if (data != null) {
      audio.put("data", data);
    }
    if (format != null) {
      audio.put("format", format);
    }
    return audio;
  }

  private ContentBlock decodedPart(JsonObject body) {
    return codec.decode(body).messages().get(0).content().get(1);
  }

  @Test
  void decodesWavIntoABase64AudioDocument() {
    assertEquals(new ContentBlock.Document(MediaSource.base64("audio/wav", WAV), null, null),
        decodedPart(withAudio(audio(WAV, "wav"))));
  }

  @Test
  void decodesMp3IntoAnAudioMpegDocument() {
    assertEquals(new ContentBlock.Document(MediaSource.base64("audio/mpeg", MP3), null, null),
        decodedPart(withAudio(audio(MP3, "mp3"))));
  }

  @Test
  void keepsACacheControlMarkerOnTheAudioPart() {
    JsonObject body = withAudio(audio(WAV, "wav"));
    JsonObject marker = new JsonObject().put("type", "ephemeral");
    body.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1).put("cache_control", marker);

    assertEquals(new ContentBlock.Document(MediaSource.base64("audio/wav", WAV), null, marker), decodedPart(body));
  }

  static Stream<Arguments> invalidParts() {
    String at = "messages[0].content[1].input_audio";
    return Stream.of(
        Arguments.of(null, at, "is required"),
        Arguments.of("wav", at, "must be an object"),
        Arguments.of(audio(null, "wav"), at + ".data", "is required"),
        Arguments.of(audio(WAV, null), at + ".format", "is required"),
        Arguments.of(audio(42, "wav"), at + ".data", "must be a string"),
        Arguments.of(audio(WAV, 1), at + ".format", "must be a string"),
        Arguments.of(audio(WAV, "ogg"), at + ".format", "must be 'wav' or 'mp3', got 'ogg'"),
        Arguments.of(audio(WAV, "WAV"), at + ".format", "must be 'wav' or 'mp3', got 'WAV'"),
        Arguments.of(audio(WAV, "pcm16"), at + ".format", "must be 'wav' or 'mp3', got 'pcm16'"),
        Arguments.of(audio("", "wav"), at + ".data", "must not be empty"),
        Arguments.of(audio("data:audio/wav;base64," + WAV, "wav"), at + ".data", "must be plain base64, without a data: URL prefix"),
        Arguments.of(audio("not base64!", "wav"), at + ".data", "must be base64-encoded audio (invalid character at offset 3)"),
        Arguments.of(audio("QUJD=", "wav"), at + ".data", "must be base64-encoded audio (bad length or padding)"),
        Arguments.of(audio("QU=D", "wav"), at + ".data", "must be base64-encoded audio (invalid character at offset 2)"),
        Arguments.of(audio("====", "wav"), at + ".data", "must be base64-encoded audio (invalid character at offset 0)"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("invalidParts")
  void rejectsABadInputAudioPartNamingTheField(Object inputAudio, String param, String message) {
    GatewayError e = assertThrows(GatewayError.class, () -> codec.decode(withAudio(inputAudio)));

    assertEquals(ErrorType.INVALID_REQUEST, e.type());
    assertEquals(400, e.status());
    assertEquals(param, e.param());
    assertEquals(param + ": " + message, e.getMessage());
  }

  @Test
  void audioIsRefusedOutsideUserMessages() {
    JsonObject body = new JsonObject().put("model", "m").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_audio").put("input_audio", audio(WAV, "wav")))))
        .add(new JsonObject().put("role", "user").put("content", "hi")));

    GatewayError e = assertThrows(GatewayError.class, () -> codec.decode(body));
    assertEquals("messages[0].content[0].type", e.param());
  }

  private static UnifiedRequest withDocument(String mediaType, String data, JsonObject cacheControl) {
    return UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(ContentBlock.Text.of("what is said?"),
        new ContentBlock.Document(MediaSource.base64(mediaType, data), "clip", cacheControl)))).build();
  }

  @Test
  void encodesAWavDocumentAsInputAudioForAnOpenAiUpstream() {
    String body = codec.encode(withDocument("audio/wav", WAV, null), "gpt-audio").encode();

    assertEquals("{\"model\":\"gpt-audio\",\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"what is said?\"},"
        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"" + WAV + "\",\"format\":\"wav\"}}]}]}", body);
  }

  @Test
  void encodesMpegAndItsAliasesAsMp3AndWaveAliasesAsWav() {
    for (String type : List.of("audio/mpeg", "audio/mp3", "AUDIO/MPEG")) {
      assertEquals("mp3", inputAudio(codec.encode(withDocument(type, MP3, null), "gpt-audio")).getString("format"), type);
    }
    for (String type : List.of("audio/wav", "audio/x-wav", "audio/wave")) {
      assertEquals("wav", inputAudio(codec.encode(withDocument(type, WAV, null), "gpt-audio")).getString("format"), type);
    }
  }

  @Test
  void aDecodedInputAudioPartIsEncodedBackUnchanged() {
    JsonObject client = withAudio(audio(MP3, "mp3"));

    JsonObject upstream = codec.encode(codec.decode(client), "gpt-4o-audio-preview");

    assertEquals(client.getJsonArray("messages"), upstream.getJsonArray("messages"));
  }

  @Test
  void encodingAnAudioRequestTwiceGivesIdenticalBytes() {
    UnifiedRequest req = withDocument("audio/wav", WAV, null);

    assertArrayEquals(codec.encode(req, "gpt-audio").toBuffer().getBytes(), codec.encode(req, "gpt-audio").toBuffer().getBytes());
  }

  @Test
  void theCacheMarkerRidesOnTheAudioPartOnlyWhereTheUpstreamTakesIt() {
    JsonObject marker = new JsonObject().put("type", "ephemeral");
    UnifiedRequest req = withDocument("audio/wav", WAV, marker);
    UpstreamOptions openRouter = new UpstreamOptions("max_tokens", true, true, false, null);

    assertNull(part(codec.encode(req, "gpt-audio")).getValue("cache_control"));
    assertEquals(marker, part(codec.encode(req, "openai/gpt-audio", openRouter)).getJsonObject("cache_control"));
  }

  @Test
  void audioWithoutAnInputAudioFormatIsA400() {
    GatewayError e = assertThrows(GatewayError.class, () -> codec.encode(withDocument("audio/ogg", "T2dnUw==", null), "gpt-audio"));

    assertEquals(400, e.status());
    assertEquals("audio/ogg audio cannot be sent to OpenAI-format providers, which take wav and mp3 only", e.getMessage());
  }

  @Test
  void otherDocumentsStayFileParts() {
    JsonObject sent = part(codec.encode(withDocument("application/pdf", "JVBERi0x", null), "gpt-4o"));

    assertEquals("file", sent.getString("type"));
  }

  private static JsonObject part(JsonObject body) {
    return body.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
  }

  private static JsonObject inputAudio(JsonObject body) {
    return part(body).getJsonObject("input_audio");
  }
}
