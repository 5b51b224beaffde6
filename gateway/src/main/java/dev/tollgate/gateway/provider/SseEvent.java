package dev.tollgate.gateway.provider;

/** One Server-Sent Event: {@code event} is null when the event had no {@code event:} line. */
public record SseEvent(String event, String data) {}
