package dev.ensemble.wire;

/** One Server-Sent Event: {@code event} is null when the stream named none; {@code data} joins multi-line data. */
public record SseEvent(String event, String data, String id) {}
