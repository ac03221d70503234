package dev.ensemble.model;

import io.vertx.core.buffer.Buffer;

/**
 * A complete (non-streamed) answer as the upstream sent it: the bytes of its body, the wire format they are in (a
 * client format's name: {@code openai}, {@code anthropic}), and where in them the top-level values lie that the
 * gateway replaces with its own when it passes the body through to a client speaking that very format: the response
 * id, the model name and (OpenAI) the creation time. Each span is a value's first byte and the byte after its last
 * (a string's quotes included); -1 when the body has no such value. Immutable: nobody changes {@code bytes}.
 */
public record UpstreamBody(String format, Buffer bytes, int idStart, int idEnd, int modelStart, int modelEnd, int createdStart,
    int createdEnd) {

  /** Whether the id and the model both have their place in the bytes (and the creation time, when {@code withCreated}). */
  public boolean spliceable(boolean withCreated) {
    return idStart >= 0 && idEnd > idStart && modelStart >= 0 && modelEnd > modelStart
        && (!withCreated || (createdStart >= 0 && createdEnd > createdStart));
  }
}
