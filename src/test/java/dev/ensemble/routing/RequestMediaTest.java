package dev.ensemble.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaPart;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

class RequestMediaTest {

  private static ContentBlock doc(MediaSource source) {
    return new ContentBlock.Document(source, null, null);
  }

  @Test
  void aTextOnlyRequestCarriesNoMedia() {
    UnifiedRequest request = UnifiedRequest.builder("m").system(ContentBlock.Text.of("sys"))
        .message(Message.user("hi")).message(Message.assistant("hello"))
        .message(new Message(Role.USER, List.of(new ContentBlock.ToolResult("t", List.of(ContentBlock.Text.of("42")), false, null))))
        .build();

    assertEquals(0, RequestMedia.scan(request));
    assertNull(RequestMedia.first(request, -1));
  }

  @Test
  void documentsAreClassifiedByMediaType() {
    assertEquals(MediaPart.PDF_BASE64, MediaPart.of(doc(MediaSource.base64("application/pdf", "x"))));
    assertEquals(MediaPart.PDF_URL, MediaPart.of(doc(MediaSource.url("https://example.com/a.pdf"))));
    assertEquals(MediaPart.TEXT_DOCUMENT, MediaPart.of(doc(MediaSource.base64("text/plain", "x"))));
    assertEquals(MediaPart.AUDIO, MediaPart.of(doc(MediaSource.base64("audio/wav", "x"))));
    assertEquals(MediaPart.VIDEO, MediaPart.of(doc(MediaSource.base64("Video/MP4", "x"))));
    assertEquals(MediaPart.IMAGE_BASE64, MediaPart.of(doc(MediaSource.base64("image/png", "x"))));
    assertEquals(MediaPart.PDF_BASE64, MediaPart.of(doc(MediaSource.base64("application/msword", "x"))));
    assertEquals(MediaPart.IMAGE_URL, MediaPart.of(new ContentBlock.Image(MediaSource.url("https://x/a.png"), null, null)));
    assertEquals(MediaPart.IMAGE_BASE64, MediaPart.of(new ContentBlock.Image(MediaSource.base64("image/png", "x"), null, null)));
    assertNull(MediaPart.of(ContentBlock.Text.of("t")));
  }

  @Test
  void scansEveryMessageAndToolResultAndFindsTheFirstPartOfAKind() {
    ContentBlock image = new ContentBlock.Image(MediaSource.url("https://x/a.png"), null, null);
    ContentBlock pdf = doc(MediaSource.base64("application/pdf", "x"));
    UnifiedRequest request = UnifiedRequest.builder("m")
        .message(new Message(Role.USER, List.of(ContentBlock.Text.of("a"), image)))
        .message(Message.assistant("ok"))
        .message(new Message(Role.USER, List.of(new ContentBlock.ToolResult("t", List.of(ContentBlock.Text.of("r"), pdf), false, null))))
        .build();

    assertEquals(MediaPart.IMAGE_URL.bit() | MediaPart.PDF_BASE64.bit(), RequestMedia.scan(request));
    assertEquals(new RequestMedia.Located("messages[0].content[1]", MediaPart.IMAGE_URL), RequestMedia.first(request, -1));
    assertEquals(new RequestMedia.Located("messages[2].content[0].content[1]", MediaPart.PDF_BASE64),
        RequestMedia.first(request, MediaPart.PDF_BASE64.bit()));
  }
}
