package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;

/** Writes Server-Sent Events frames. */
public final class Sse {

  private Sse() {
  }

  /** {@code data: <data>\n\n}, for formats that name no event (OpenAI). */
  public static Buffer data(String data) {
    return Buffer.buffer("data: " + data + "\n\n");
  }

  /** {@code event: <event>\ndata: <data>\n\n} (Anthropic). */
  public static Buffer event(String event, String data) {
    return Buffer.buffer("event: " + event + "\ndata: " + data + "\n\n");
  }

  /** An event with an {@code id:} line, for resumable streams ({@code Last-Event-ID}). */
  public static Buffer event(long id, String event, String data) {
    return Buffer.buffer("id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n");
  }
}
