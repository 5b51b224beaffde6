package dev.tollgate.gateway.filter;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.http.MultipartForm;
import dev.tollgate.gateway.metering.AudioRequest;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;

/**
 * Parses and validates the JSON body (size is already limited by the BodyHandler before it), or an
 * audio upload's multipart form (read by the {@link UploadBodyFilter}).
 */
public final class ParseFilter implements Handler<RoutingContext> {

  /** The model a moderations body without one is routed and sent as: OpenAI's default. */
  public static final String DEFAULT_MODERATION_MODEL = "omni-moderation-latest";

  private final long audioMinBitrate;

  /** @param audioMinBitrate bits per second an uploaded audio file is assumed to have at least (ADR 0054) */
  public ParseFilter(long audioMinBitrate) {
    this.audioMinBitrate = audioMinBitrate;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    if (req.endpoint().upload()) {
      parsedUpload(ctx, req);
      return;
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      ctx.fail(GatewayError.invalidJson("Request body must be a JSON object."));
      return;
    }
    Object parsed;
    try {
      parsed = raw.toJsonValue();
    } catch (DecodeException e) {
      ctx.fail(GatewayError.invalidJson("Request body is not valid JSON."));
      return;
    }
    if (!(parsed instanceof JsonObject body)) {
      ctx.fail(GatewayError.invalidJson("Request body must be a JSON object."));
      return;
    }
    if (req.endpoint().google()) {
      parsedGemini(ctx, req, body);
      return;
    }
    if (req.endpoint() == GatewayRequest.Endpoint.MODERATIONS && !body.containsKey("model")) {
      // optional in OpenAI's API, which then uses its current moderation model; routed by that name here
      body.put("model", DEFAULT_MODERATION_MODEL);
    }
    GatewayError problem = validate(req.endpoint(), body);
    if (problem != null) {
      ctx.fail(problem);
      return;
    }
    // a token count is one JSON answer whatever the body says
    boolean stream = !req.endpoint().tokenCount() && Boolean.TRUE.equals(body.getValue("stream"));
    req.parsed(body, body.getString("model"), stream);
    if (req.endpoint() == GatewayRequest.Endpoint.SPEECH) {
      req.audio(null, AudioRequest.speech(body.getString("input")));
    }
    ctx.next();
  }

  /**
   * An audio upload (ADR 0054): a multipart form with a non-empty {@code file} and a {@code model},
   * no field but an array one ({@code name[]}) sent twice;
   * only its text fields are read (they become the request's body for the model filter, the
   * token count of a {@code prompt} and the access log's model), the file only for its size. A
   * {@code stream=true} transcription is refused.
   */
  private void parsedUpload(RoutingContext ctx, GatewayRequest req) {
    MultipartForm form;
    try {
      form = MultipartForm.parse(req.upload(), req.uploadContentType());
    } catch (IllegalArgumentException e) {
      ctx.fail(GatewayError.invalidRequest(e.getMessage(), null));
      return;
    }
    JsonObject fields = new JsonObject();
    Set<String> seen = new HashSet<>();
    for (MultipartForm.Part p : form.parts()) {
      // a repeated field is ambiguous: the gateway reads and rewrites the first, a provider may read
      // the last (a second model it never authorized); only OpenAI's array fields (name[]) repeat
      if (!seen.add(p.name()) && !p.name().endsWith("[]")) {
        ctx.fail(GatewayError.invalidRequest("'" + p.name() + "' must be sent once.", p.name()));
        return;
      }
      if (!p.file() && !p.name().equals("file") && !fields.containsKey(p.name())) {
        fields.put(p.name(), form.field(p.name()));
      }
    }
    MultipartForm.Part file = form.part("file");
    if (file == null || file.length() == 0) {
      ctx.fail(GatewayError.invalidRequest("'file' is required: the audio file to transcribe, as a file part.", "file"));
      return;
    }
    if (!(fields.getValue("model") instanceof String model) || model.isBlank()) {
      ctx.fail(GatewayError.invalidRequest("'model' is required and must be a string.", "model"));
      return;
    }
    if ("true".equalsIgnoreCase(fields.getString("stream", "").strip())) {
      ctx.fail(GatewayError.audioStreamNotSupported("stream", "Streamed transcriptions are not supported by this gateway; "
          + "send the request without 'stream'."));
      return;
    }
    req.parsed(fields, model.strip(), false);
    req.audio(form, AudioRequest.upload(file.length(), audioMinBitrate));
    ctx.next();
  }

  /**
   * A Gemini API call (ADR 0051): the model and the method are in the path, a stream only as
   * server-sent events ({@code ?alt=sse}, as Gemini CLI and the Google GenAI SDKs ask for it).
   */
  private static void parsedGemini(RoutingContext ctx, GatewayRequest req, JsonObject body) {
    boolean stream = "streamGenerateContent".equals(ctx.pathParam("method"));
    if (stream && !"sse".equals(ctx.request().getParam("alt"))) {
      ctx.fail(GatewayError.invalidRequest("streamGenerateContent is served as server-sent events only: add '?alt=sse'.", "alt"));
      return;
    }
    // the model is the path's, authorized and priced as such: one in the body is not sent on
    body.remove("model");
    GatewayError problem = req.endpoint() == GatewayRequest.Endpoint.GENERATE_CONTENT ? validateGenerateContent(body)
        : body.containsKey("contents") ? contentsProblem(body) : null;
    if (problem != null) {
      ctx.fail(problem);
      return;
    }
    req.parsed(body, ctx.pathParam("model"), stream);
    ctx.next();
  }

  /**
   * A {@code GenerateContentRequest}: {@code contents} a non-empty array of objects, and the figures
   * that bound the output (ADR 0051) of their documented types. Their snake_case spellings, which
   * Google's JSON parser also accepts, are refused: the gateway would not see the bound it reserves by.
   */
  private static GatewayError validateGenerateContent(JsonObject body) {
    GatewayError contents = contentsProblem(body);
    if (contents != null) {
      return contents;
    }
    if (body.containsKey("generation_config")) {
      return GatewayError.invalidRequest("Spell it 'generationConfig'.", "generation_config");
    }
    Object config = body.getValue("generationConfig");
    if (config == null) {
      return toolsProblem(body);
    }
    if (!(config instanceof JsonObject gc)) {
      return GatewayError.invalidRequest("'generationConfig' must be an object.", "generationConfig");
    }
    for (String snake : new String[] {"max_output_tokens", "candidate_count", "thinking_config"}) {
      if (gc.containsKey(snake)) {
        return GatewayError.invalidRequest("Spell 'generationConfig." + snake + "' in camelCase.", "generationConfig." + snake);
      }
    }
    for (String f : new String[] {"maxOutputTokens", "candidateCount"}) {
      Object v = gc.getValue(f);
      // Google's int32: a larger bound is invalid there, and would overflow the reservation's sum here
      if (v != null && (!(v instanceof Integer) || ((Number) v).longValue() < 1)) {
        return GatewayError.invalidRequest("'generationConfig." + f + "' must be a positive 32-bit integer.",
            "generationConfig." + f);
      }
    }
    Object thinking = gc.getValue("thinkingConfig");
    if (thinking != null) {
      if (!(thinking instanceof JsonObject tc) || tc.containsKey("thinking_budget")) {
        return GatewayError.invalidRequest("'generationConfig.thinkingConfig' must be an object with a camelCase "
            + "'thinkingBudget'.", "generationConfig.thinkingConfig");
      }
      Object budget = tc.getValue("thinkingBudget");
      if (budget != null && (!(budget instanceof Integer) || ((Number) budget).longValue() < -1)) {
        return GatewayError.invalidRequest("'generationConfig.thinkingConfig.thinkingBudget' must be a 32-bit integer of "
            + "at least -1.", "generationConfig.thinkingConfig.thinkingBudget");
      }
    }
    return toolsProblem(body);
  }

  /**
   * {@code contents} a non-empty array of objects with {@code parts}; no part by URI ({@code fileData})
   * and no {@code cachedContent}: what they name lives in the operator's provider account, not the
   * tenant's (a {@code gs://} object Vertex AI reads with the operator's service account, a file or
   * cache another tenant or the operator uploaded), and their size is not in the request, so no
   * reservation could bound it. Media goes inline ({@code inlineData}).
   */
  private static GatewayError contentsProblem(JsonObject body) {
    if (!(body.getValue("contents") instanceof JsonArray contents) || contents.isEmpty()) {
      return GatewayError.invalidRequest("'contents' is required and must be a non-empty array.", "contents");
    }
    for (Object c : contents) {
      if (!(c instanceof JsonObject content) || !(content.getValue("parts") instanceof JsonArray parts)) {
        return GatewayError.invalidRequest("Each content must be an object with 'parts' (an array).", "contents");
      }
      for (Object p : parts) {
        if (p instanceof JsonObject part && (part.containsKey("fileData") || part.containsKey("file_data"))) {
          return GatewayError.providerStateNotSupported("A part by URI ('fileData') is not supported through this "
              + "gateway: the file is in the provider account the gateway uses, and its size cannot be reserved. "
              + "Send the media inline ('inlineData').", "contents");
        }
      }
    }
    for (String cache : new String[] {"cachedContent", "cached_content"}) {
      if (body.containsKey(cache)) {
        return GatewayError.providerStateNotSupported("'" + cache + "' is not supported through this gateway: a cache "
            + "lives in the provider account the gateway uses, not yours. Send the content itself.", cache);
      }
    }
    return null;
  }

  static GatewayError validate(GatewayRequest.Endpoint endpoint, JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      return GatewayError.invalidRequest("'model' is required and must be a string.", "model");
    }
    if (body.containsKey("stream") && !(body.getValue("stream") instanceof Boolean)) {
      return GatewayError.invalidRequest("'stream' must be a boolean.", "stream");
    }
    if (endpoint == GatewayRequest.Endpoint.CHAT) {
      if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
        return GatewayError.invalidRequest("'messages' is required and must be a non-empty array.", "messages");
      }
      for (Object m : messages) {
        if (!(m instanceof JsonObject msg) || !(msg.getValue("role") instanceof String)) {
          return GatewayError.invalidRequest("Each message must be an object with a 'role'.", "messages");
        }
      }
      for (String f : new String[] {"max_tokens", "max_completion_tokens", "n"}) {
        Object v = body.getValue(f);
        if (v != null && !(v instanceof Integer || v instanceof Long) || v != null && ((Number) v).longValue() < 1) {
          return GatewayError.invalidRequest("'" + f + "' must be a positive integer.", f);
        }
      }
      if (body.getValue("web_search_options") != null && !(body.getValue("web_search_options") instanceof JsonObject)) {
        return GatewayError.invalidRequest("'web_search_options' must be an object.", "web_search_options");
      }
      return toolsProblem(body);
    } else if (endpoint == GatewayRequest.Endpoint.EMBEDDINGS) {
      Object input = body.getValue("input");
      if (!(input instanceof String || input instanceof JsonArray arr && !arr.isEmpty())) {
        return GatewayError.invalidRequest("'input' is required: a string or a non-empty array.", "input");
      }
      if (Boolean.TRUE.equals(body.getValue("stream"))) {
        return GatewayError.invalidRequest("Embeddings cannot be streamed.", "stream");
      }
    } else if (endpoint == GatewayRequest.Endpoint.MODERATIONS) {
      return validateModerations(body);
    } else if (endpoint == GatewayRequest.Endpoint.COMPLETIONS) {
      return validateCompletions(body);
    } else if (endpoint == GatewayRequest.Endpoint.IMAGES) {
      return validateImages(body);
    } else if (endpoint == GatewayRequest.Endpoint.SPEECH) {
      return validateSpeech(body);
    } else if (endpoint == GatewayRequest.Endpoint.RESPONSES) {
      return validateResponses(body);
    } else if (endpoint == GatewayRequest.Endpoint.MESSAGES) {
      return validateMessages(body, true);
    } else if (endpoint == GatewayRequest.Endpoint.COUNT_TOKENS) {
      return validateMessages(body, false);
    }
    return null;
  }

  /**
   * An Anthropic Messages body: the fields the gateway reads or meters must have their documented
   * types; {@code max_tokens} is required (as Anthropic requires it) when it is the reserved ceiling,
   * not in a token-counting body (which reserves nothing and Anthropic refuses it in).
   */
  private static GatewayError validateMessages(JsonObject body, boolean maxTokensRequired) {
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      return GatewayError.invalidRequest("'messages' is required and must be a non-empty array.", "messages");
    }
    for (Object m : messages) {
      if (!(m instanceof JsonObject msg) || !(msg.getValue("role") instanceof String)
          || !(msg.getValue("content") instanceof String || msg.getValue("content") instanceof JsonArray)) {
        return GatewayError.invalidRequest("Each message must be an object with a 'role' and a 'content' (a string or an array of blocks).", "messages");
      }
    }
    Object max = body.getValue("max_tokens");
    if (maxTokensRequired && (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1)) {
      return GatewayError.invalidRequest("'max_tokens' is required and must be a positive integer.", "max_tokens");
    }
    Object system = body.getValue("system");
    if (system != null && !(system instanceof String || system instanceof JsonArray)) {
      return GatewayError.invalidRequest("'system' must be a string or an array of text blocks.", "system");
    }
    GatewayError tools = toolsProblem(body);
    if (tools != null) {
      return tools;
    }
    for (Object tool : body.getJsonArray("tools", new JsonArray())) {
      // a web search's bound is what the reservation covers (ADR 0047)
      Object maxUses = ((JsonObject) tool).getValue("max_uses");
      if (maxUses != null && (!(maxUses instanceof Integer || maxUses instanceof Long) || ((Number) maxUses).longValue() < 1)) {
        return GatewayError.invalidRequest("A tool's 'max_uses' must be a positive integer.", "tools");
      }
    }
    return null;
  }

  /**
   * A moderations body: {@code input} a string, a non-empty array of strings, or a non-empty array of
   * {@code text} and {@code image_url} parts (the omni models' multimodal form), never streamed.
   */
  private static GatewayError validateModerations(JsonObject body) {
    Object input = body.getValue("input");
    boolean valid = input instanceof String;
    if (input instanceof JsonArray arr && !arr.isEmpty()) {
      valid = true;
      for (Object v : arr) {
        valid &= v instanceof String && arr.getValue(0) instanceof String
            || v instanceof JsonObject part && arr.getValue(0) instanceof JsonObject
                && ("text".equals(part.getValue("type")) && part.getValue("text") instanceof String
                    || "image_url".equals(part.getValue("type")) && part.getValue("image_url") instanceof JsonObject);
      }
    }
    if (!valid) {
      return GatewayError.invalidRequest("'input' is required: a string, a non-empty array of strings, or a non-empty "
          + "array of 'text' and 'image_url' parts.", "input");
    }
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      return GatewayError.invalidRequest("Moderations cannot be streamed.", "stream");
    }
    return null;
  }

  /** {@code tools}, when present, must be an array of tool objects. */
  private static GatewayError toolsProblem(JsonObject body) {
    Object tools = body.getValue("tools");
    if (tools == null) {
      return null;
    }
    if (!(tools instanceof JsonArray list)) {
      return GatewayError.invalidRequest("'tools' must be an array.", "tools");
    }
    for (Object tool : list) {
      if (!(tool instanceof JsonObject)) {
        return GatewayError.invalidRequest("Each tool must be an object.", "tools");
      }
    }
    return null;
  }

  /**
   * A legacy completions body: {@code prompt} in one of the four forms OpenAI documents (a string, or
   * a non-empty array of strings, of token ids, or of non-empty token-id arrays), {@code suffix} a
   * string; the figures that bound the output ({@code max_tokens} from 0, {@code n} and {@code
   * best_of} from 1) integers, null meaning the default.
   */
  private static GatewayError validateCompletions(JsonObject body) {
    if (!validPrompt(body.getValue("prompt"))) {
      return GatewayError.invalidRequest("'prompt' is required: a string, or a non-empty array of strings, of token ids "
          + "or of token-id arrays.", "prompt");
    }
    if (body.getValue("suffix") != null && !(body.getValue("suffix") instanceof String)) {
      return GatewayError.invalidRequest("'suffix' must be a string.", "suffix");
    }
    for (String f : new String[] {"max_tokens", "n", "best_of"}) {
      Object v = body.getValue(f);
      long min = f.equals("max_tokens") ? 0 : 1;
      if (v != null && (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min)) {
        return GatewayError.invalidRequest("'" + f + "' must be an integer of at least " + min + ".", f);
      }
    }
    return null;
  }

  /**
   * An images API body: {@code prompt} a non-empty string, {@code n} an integer from 1 to 10 (as
   * OpenAI documents it; each is reserved), the fields the price reads ({@code size}, {@code
   * quality}) strings; a stream is refused (ADR 0049).
   */
  private static GatewayError validateImages(JsonObject body) {
    if (!(body.getValue("prompt") instanceof String prompt) || prompt.isBlank()) {
      return GatewayError.invalidRequest("'prompt' is required and must be a non-empty string.", "prompt");
    }
    Object n = body.getValue("n");
    if (n != null && (!(n instanceof Integer || n instanceof Long) || ((Number) n).longValue() < 1 || ((Number) n).longValue() > 10)) {
      return GatewayError.invalidRequest("'n' must be an integer from 1 to 10.", "n");
    }
    for (String f : new String[] {"size", "quality"}) {
      if (body.getValue(f) != null && !(body.getValue(f) instanceof String)) {
        return GatewayError.invalidRequest("'" + f + "' must be a string.", f);
      }
    }
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      return GatewayError.imageStreamNotSupported();
    }
    return null;
  }

  /**
   * A speech body: {@code input} a non-empty string (its characters are what is reserved and
   * billed), {@code instructions} a string; {@code stream_format: "sse"} is refused (ADR 0054).
   */
  private static GatewayError validateSpeech(JsonObject body) {
    if (!(body.getValue("input") instanceof String input) || input.isEmpty()) {
      return GatewayError.invalidRequest("'input' is required and must be a non-empty string.", "input");
    }
    if (body.getValue("instructions") != null && !(body.getValue("instructions") instanceof String)) {
      return GatewayError.invalidRequest("'instructions' must be a string.", "instructions");
    }
    if ("sse".equals(body.getValue("stream_format")) || Boolean.TRUE.equals(body.getValue("stream"))) {
      return GatewayError.audioStreamNotSupported("stream_format", "Streamed speech ('stream_format': 'sse') is not "
          + "supported by this gateway; ask for 'audio' (the default).");
    }
    return null;
  }

  private static boolean validPrompt(Object prompt) {
    if (prompt instanceof String) {
      return true;
    }
    if (!(prompt instanceof JsonArray items) || items.isEmpty()) {
      return false;
    }
    Object first = items.getValue(0);
    for (Object item : items) {
      boolean sameForm = first instanceof String ? item instanceof String
          : first instanceof JsonArray ? item instanceof JsonArray ids && !ids.isEmpty() && tokenIds(ids)
          : isTokenId(item);
      if (!sameForm) {
        return false;
      }
    }
    return true;
  }

  private static boolean tokenIds(JsonArray ids) {
    for (Object id : ids) {
      if (!isTokenId(id)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isTokenId(Object v) {
    return (v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0;
  }

  /** A Responses API body: the fields the gateway reads or meters must have their documented types. */
  private static GatewayError validateResponses(JsonObject body) {
    Object input = body.getValue("input");
    if (!(input instanceof String s && !s.isEmpty() || input instanceof JsonArray items && !items.isEmpty())) {
      return GatewayError.invalidRequest("'input' is required: a string or a non-empty array of input items.", "input");
    }
    if (input instanceof JsonArray items) {
      for (Object item : items) {
        if (!(item instanceof JsonObject)) {
          return GatewayError.invalidRequest("Each input item must be an object.", "input");
        }
      }
    }
    if (body.getValue("instructions") != null && !(body.getValue("instructions") instanceof String)) {
      return GatewayError.invalidRequest("'instructions' must be a string.", "instructions");
    }
    Object max = body.getValue("max_output_tokens");
    if (max != null && (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1)) {
      return GatewayError.invalidRequest("'max_output_tokens' must be a positive integer.", "max_output_tokens");
    }
    GatewayError tools = toolsProblem(body);
    if (tools != null) {
      return tools;
    }
    Object maxToolCalls = body.getValue("max_tool_calls");
    if (maxToolCalls != null && (!(maxToolCalls instanceof Integer || maxToolCalls instanceof Long) || ((Number) maxToolCalls).longValue() < 0)) {
      return GatewayError.invalidRequest("'max_tool_calls' must be a non-negative integer.", "max_tool_calls");
    }
    if (body.getValue("previous_response_id") != null && !(body.getValue("previous_response_id") instanceof String)) {
      return GatewayError.invalidRequest("'previous_response_id' must be a string.", "previous_response_id");
    }
    if (body.getValue("store") != null && !(body.getValue("store") instanceof Boolean)) {
      return GatewayError.invalidRequest("'store' must be a boolean.", "store");
    }
    if (Boolean.TRUE.equals(body.getValue("background"))) {
      // a background response is billed when it finishes, which only polling would see (ADR 0050)
      return GatewayError.backgroundNotSupported("Background responses are not supported by this gateway: their usage "
          + "is only known when they are polled, so they could not be billed for sure. Send the request without "
          + "'background' (stream it to keep the connection busy).");
    }
    return null;
  }
}
