package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/** A translated non-streaming answer: the OpenAI {@code chat.completion} body and its usage. */
public record ChatResult(JsonObject openAiBody, Usage usage) {}
