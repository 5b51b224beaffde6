package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * The local stack's demo provider: a small server on loopback that speaks OpenAI's chat completions,
 * Responses API, legacy completions, embeddings, image generation and audio (speech, transcriptions), and Anthropic's Messages API (so Claude Code and the Anthropic SDKs work through the gateway too)
 * and answers every request with a fixed, clearly labelled demo text (JSON or SSE, with usage), so
 * the first request works without any provider account. Never used when a real provider key is given.
 */
public final class DemoProvider implements AutoCloseable {

  static final String ANSWER =
      "Hello from Tollgate's DEMO provider. This answer is canned: no real model was called. "
          + "Set OPENAI_API_KEY (or ANTHROPIC_API_KEY, GEMINI_API_KEY) to route to a real provider.";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  private DemoProvider(HttpServer server) {
    this.server = server;
  }

  /** Starts on {@code port} (0 = any free port) on 127.0.0.1. */
  public static DemoProvider start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "demo-provider");
      t.setDaemon(true);
      return t;
    }));
    DemoProvider demo = new DemoProvider(server);
    server.createContext("/v1/chat/completions", demo::chat);
    server.createContext("/v1/embeddings", demo::embeddings);
    server.createContext("/v1/moderations", demo::moderations);
    server.createContext("/v1/responses", demo::responses);
    server.createContext("/v1/completions", demo::completions);
    server.createContext("/v1/images/generations", demo::images);
    server.createContext("/v1/audio/speech", demo::speech);
    server.createContext("/v1/audio/transcriptions", demo::transcription);
    server.createContext("/v1/audio/translations", demo::transcription);
    server.createContext("/v1/messages", demo::messages);
    server.createContext("/v1/messages/count_tokens", demo::countTokens);
    server.createContext("/v1/models", ex -> demo.send(ex, 200, "{\"object\":\"list\",\"data\":[]}"));
    server.start();
    return demo;
  }

  /** Base URL to put into a RoutePolicy provider: {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The request's JSON, or null after answering 400 in {@code errorBody}'s envelope. */
  private JsonNode read(HttpExchange ex, String errorBody) throws IOException {
    try {
      return JSON.readTree(ex.getRequestBody());
    } catch (IOException e) {
      send(ex, 400, errorBody);
      return null;
    }
  }

  private void chat(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, OPENAI_BAD_JSON);
    if (req == null) {
      return;
    }
    String model = req.path("model").asText("demo");
    long promptTokens = Math.max(1, approxTokens(req.path("messages").toString()));
    List<String> words = words(ANSWER);
    long completionTokens = words.size();
    String id = "chatcmpl-demo-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    long created = System.currentTimeMillis() / 1000;
    ObjectNode usage = JSON.createObjectNode()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    if (!req.path("stream").asBoolean(false)) {
      ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", model);
      ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", ANSWER);
      choice.put("finish_reason", "stop");
      body.set("usage", usage);
      send(ex, 200, JSON.writeValueAsString(body));
      return;
    }
    startStream(ex);
    boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < words.size(); i++) {
        ObjectNode chunk = chunk(id, created, model);
        ObjectNode delta = ((ObjectNode) chunk.withArray("choices").get(0)).putObject("delta");
        if (i == 0) {
          delta.put("role", "assistant");
        }
        delta.put("content", words.get(i));
        event(out, JSON.writeValueAsString(chunk));
      }
      ObjectNode last = chunk(id, created, model);
      ((ObjectNode) last.withArray("choices").get(0)).put("finish_reason", "stop").putObject("delta");
      event(out, JSON.writeValueAsString(last));
      if (includeUsage) {
        ObjectNode u = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
            .put("created", created).put("model", model);
        u.putArray("choices");
        u.set("usage", usage);
        event(out, JSON.writeValueAsString(u));
      }
      event(out, "[DONE]");
    }
  }

  private static final String OPENAI_BAD_JSON =
      "{\"error\":{\"message\":\"invalid JSON\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";

  /** OpenAI's Responses API: a response, or its event stream ending in response.completed with usage. */
  private void responses(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, OPENAI_BAD_JSON);
    if (req == null) {
      return;
    }
    long input = Math.max(1, approxTokens(req.path("instructions").toString() + req.path("input")));
    List<String> words = words(ANSWER);
    String id = "resp_demo" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    ObjectNode response = JSON.createObjectNode().put("id", id).put("object", "response")
        .put("created_at", System.currentTimeMillis() / 1000).put("status", "completed")
        .put("model", req.path("model").asText("demo"));
    ObjectNode item = response.putArray("output").addObject().put("type", "message").put("id", "msg_" + id)
        .put("status", "completed").put("role", "assistant");
    item.putArray("content").addObject().put("type", "output_text").put("text", ANSWER).putArray("annotations");
    response.putObject("usage").put("input_tokens", input).put("output_tokens", words.size())
        .put("total_tokens", input + words.size());
    if (!req.path("stream").asBoolean(false)) {
      send(ex, 200, JSON.writeValueAsString(response));
      return;
    }
    startStream(ex);
    try (OutputStream out = ex.getResponseBody()) {
      ObjectNode created = response.deepCopy().put("status", "in_progress");
      created.putArray("output");
      created.putNull("usage");
      event(out, "response.created", JSON.createObjectNode().put("type", "response.created").set("response", created));
      for (String w : words) {
        event(out, "response.output_text.delta", JSON.createObjectNode().put("type", "response.output_text.delta")
            .put("item_id", "msg_" + id).put("output_index", 0).put("content_index", 0).put("delta", w));
      }
      event(out, "response.completed", JSON.createObjectNode().put("type", "response.completed").set("response", response));
    }
  }

  /** OpenAI's legacy completions (code completion tools): text choices, usage as chat reports it. */
  private void completions(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, OPENAI_BAD_JSON);
    if (req == null) {
      return;
    }
    long prompt = Math.max(1, approxTokens(req.path("prompt").toString() + req.path("suffix").asText("")));
    List<String> words = words(ANSWER);
    String id = "cmpl-demo" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    ObjectNode usage = JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", words.size())
        .put("total_tokens", prompt + words.size());
    if (!req.path("stream").asBoolean(false)) {
      ObjectNode body = completion(id, req);
      ((ObjectNode) body.withArray("choices").addObject().put("text", ANSWER).put("index", 0).putNull("logprobs"))
          .put("finish_reason", "stop");
      body.set("usage", usage);
      send(ex, 200, JSON.writeValueAsString(body));
      return;
    }
    startStream(ex);
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < words.size(); i++) {
        ObjectNode chunk = completion(id, req);
        chunk.withArray("choices").addObject().put("text", words.get(i)).put("index", 0).putNull("logprobs")
            .put("finish_reason", i == words.size() - 1 ? "stop" : null);
        event(out, JSON.writeValueAsString(chunk));
      }
      if (req.path("stream_options").path("include_usage").asBoolean(false)) {
        ObjectNode last = completion(id, req);
        last.putArray("choices");
        last.set("usage", usage);
        event(out, JSON.writeValueAsString(last));
      }
      event(out, "[DONE]");
    }
  }

  private static ObjectNode completion(String id, JsonNode req) {
    return JSON.createObjectNode().put("id", id).put("object", "text_completion")
        .put("created", System.currentTimeMillis() / 1000).put("model", req.path("model").asText("demo"));
  }

  private static void startStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
  }

  private static final String ANTHROPIC_BAD_JSON =
      "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"invalid JSON\"}}";

  /** Anthropic's Messages API: a message, or its event stream, with usage as Anthropic reports it. */
  private void messages(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, ANTHROPIC_BAD_JSON);
    if (req == null) {
      return;
    }
    String model = req.path("model").asText("demo");
    long inputTokens = Math.max(1, approxTokens(req.path("system").toString() + req.path("messages")));
    List<String> words = words(ANSWER);
    String id = "msg_demo" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
        .put("model", model);
    if (!req.path("stream").asBoolean(false)) {
      message.putArray("content").addObject().put("type", "text").put("text", ANSWER);
      message.put("stop_reason", "end_turn").putNull("stop_sequence");
      message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", words.size());
      send(ex, 200, JSON.writeValueAsString(message));
      return;
    }
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
    startStream(ex);
    try (OutputStream out = ex.getResponseBody()) {
      ObjectNode start = JSON.createObjectNode().put("type", "message_start");
      start.set("message", message);
      event(out, "message_start", start);
      ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
      blockStart.putObject("content_block").put("type", "text").put("text", "");
      event(out, "content_block_start", blockStart);
      for (String w : words) {
        ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", w);
        event(out, "content_block_delta", delta);
      }
      event(out, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
      ObjectNode end = JSON.createObjectNode().put("type", "message_delta");
      end.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
      end.putObject("usage").put("output_tokens", words.size());
      event(out, "message_delta", end);
      event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
    }
  }

  private void countTokens(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, ANTHROPIC_BAD_JSON);
    if (req != null) {
      long tokens = Math.max(1, approxTokens(req.path("system").toString() + req.path("messages")));
      send(ex, 200, "{\"input_tokens\":" + tokens + "}");
    }
  }

  private static void event(OutputStream out, String name, ObjectNode data) throws IOException {
    out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void embeddings(HttpExchange ex) throws IOException {
    JsonNode req = JSON.readTree(ex.getRequestBody());
    JsonNode input = req.path("input");
    int n = input.isArray() ? input.size() : 1;
    ObjectNode body = JSON.createObjectNode().put("object", "list").put("model", req.path("model").asText("demo"));
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < n; i++) {
      ArrayNode vec = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
      for (int d = 0; d < 8; d++) {
        vec.add((i + 1) * 0.125 * (d + 1) / 8);
      }
    }
    long tokens = approxTokens(input.toString());
    body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    send(ex, 200, JSON.writeValueAsString(body));
  }

  /** OpenAI's moderation answer, one result per input, never flagged: the demo judges nothing. */
  private void moderations(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, OPENAI_BAD_JSON);
    if (req == null) {
      return;
    }
    JsonNode input = req.path("input");
    int n = input.isArray() && input.size() > 0 && input.get(0).isTextual() ? input.size() : 1;
    ObjectNode body = JSON.createObjectNode().put("id", "modr-demo-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20))
        .put("model", req.path("model").asText("omni-moderation-latest"));
    ArrayNode results = body.putArray("results");
    for (int i = 0; i < n; i++) {
      ObjectNode result = results.addObject().put("flagged", false);
      ObjectNode categories = result.putObject("categories");
      ObjectNode scores = result.putObject("category_scores");
      for (String c : new String[] {"harassment", "hate", "illicit", "self-harm", "sexual", "violence"}) {
        categories.put(c, false);
        scores.put(c, 0.0);
      }
    }
    send(ex, 200, JSON.writeValueAsString(body));
  }

  /** A 1x1 transparent PNG: the demo generates no image. */
  static final String DEMO_IMAGE =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

  /** OpenAI's images API as the GPT image models answer: base64 images, and usage in tokens. */
  private void images(HttpExchange ex) throws IOException {
    JsonNode req = read(ex, OPENAI_BAD_JSON);
    if (req == null) {
      return;
    }
    int n = Math.max(1, req.path("n").asInt(1));
    long prompt = Math.max(1, approxTokens(req.path("prompt").asText("")));
    long perImage = 272; // what gpt-image-1 reports for a low-quality 1024x1024 image
    ObjectNode body = JSON.createObjectNode().put("created", System.currentTimeMillis() / 1000)
        .put("size", "1024x1024").put("quality", "low").put("output_format", "png");
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < n; i++) {
      data.addObject().put("b64_json", DEMO_IMAGE).put("revised_prompt", "DEMO provider: no image was generated.");
    }
    body.putObject("usage").put("input_tokens", prompt).put("output_tokens", n * perImage)
        .put("total_tokens", prompt + n * perImage)
        .set("input_tokens_details", JSON.createObjectNode().put("text_tokens", prompt).put("image_tokens", 0));
    send(ex, 200, JSON.writeValueAsString(body));
  }

  /**
   * Speech: a quarter second of silence as a WAV file whose {@code DEMO} chunk (which players skip)
   * says that nothing was synthesized.
   */
  private void speech(HttpExchange ex) throws IOException {
    if (read(ex, OPENAI_BAD_JSON) == null) {
      return;
    }
    byte[] label = "DEMO provider: no speech was synthesized.".getBytes(StandardCharsets.US_ASCII);
    int labelLen = label.length + (label.length % 2);
    int samples = 6_000 * 2; // 0.25 s of 16-bit mono at 24 kHz
    java.nio.ByteBuffer wav = java.nio.ByteBuffer.allocate(44 + 8 + labelLen + samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    wav.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(wav.capacity() - 8).put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1).putInt(24_000)
        .putInt(48_000).putShort((short) 2).putShort((short) 16)
        .put("DEMO".getBytes(StandardCharsets.US_ASCII)).putInt(labelLen).put(label).position(36 + 8 + labelLen);
    wav.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples);
    ex.getResponseHeaders().set("Content-Type", "audio/wav");
    ex.sendResponseHeaders(200, wav.capacity());
    try (OutputStream out = ex.getResponseBody()) {
      out.write(wav.array());
    }
  }

  /** A transcription or translation: a labelled text in one segment, billed as one second of audio (whisper-1's usage). */
  private void transcription(HttpExchange ex) throws IOException {
    ex.getRequestBody().readAllBytes(); // the upload: not read, not kept
    ObjectNode body = JSON.createObjectNode().put("text", "DEMO provider: no audio was transcribed.");
    body.putObject("usage").put("type", "duration").put("seconds", 1);
    // verbose_json's fields too, which the gateway asks for to render text, srt and vtt (ADR 0054)
    body.put("duration", 1.0).putArray("segments").addObject().put("id", 0).put("start", 0.0).put("end", 1.0)
        .put("text", body.get("text").asText());
    send(ex, 200, JSON.writeValueAsString(body));
  }

  private static ObjectNode chunk(String id, long created, String model) {
    ObjectNode chunk = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
        .put("created", created).put("model", model);
    chunk.putArray("choices").addObject().put("index", 0);
    return chunk;
  }

  private static void event(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Rough count (about four characters per token); the demo only needs plausible figures. */
  private static long approxTokens(String text) {
    return (text.length() + 3) / 4;
  }

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ' ') {
        out.add(text.substring(start, i));
        start = i;
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
