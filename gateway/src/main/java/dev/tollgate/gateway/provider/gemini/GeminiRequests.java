package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.OpenAiWire;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI chat-completions request → Gemini {@code GenerateContentRequest}. Throws {@link
 * IllegalArgumentException} (message safe for the client) for what Gemini cannot express.
 */
public final class GeminiRequests {

  private GeminiRequests() {}

  public static JsonObject generateContentBody(JsonObject in) {
    OpenAiWire.requireSingleChoice(in, "gemini");
    OpenAiWire.requireNoWebSearch(in, "gemini");
    JsonArray systemParts = new JsonArray();
    JsonArray contents = new JsonArray();
    Map<String, String> toolNames = new HashMap<>();
    JsonArray messages = in.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < messages.size(); i++) {
      translate(messages.getJsonObject(i), systemParts, contents, toolNames);
    }
    JsonObject out = new JsonObject().put("contents", contents);
    if (!systemParts.isEmpty()) {
      out.put("systemInstruction", new JsonObject().put("parts", systemParts));
    }
    tools(in, out);
    JsonObject config = generationConfig(in);
    if (!config.isEmpty()) {
      out.put("generationConfig", config);
    }
    return out;
  }

  private static void translate(
      JsonObject m, JsonArray systemParts, JsonArray contents, Map<String, String> toolNames) {
    String role = m.getString("role", "");
    switch (role) {
      case "system", "developer" -> {
        String text = OpenAiWire.textOf(m.getValue("content"));
        if (!text.isEmpty()) {
          systemParts.add(new JsonObject().put("text", text));
        }
      }
      case "user" -> append(contents, "user", userParts(m.getValue("content")));
      case "assistant" -> append(contents, "model", modelParts(m, toolNames));
      case "tool" -> {
        String name = toolNames.get(m.getString("tool_call_id", ""));
        if (name == null) {
          name = m.getString("name");
        }
        if (name == null) {
          throw new IllegalArgumentException(
              "tool message answers no tool call of an earlier assistant message");
        }
        JsonObject response =
            new JsonObject()
                .put("name", name)
                .put("response", responseObject(m.getValue("content")));
        append(
            contents,
            "user",
            new JsonArray().add(new JsonObject().put("functionResponse", response)));
      }
      default ->
          throw new IllegalArgumentException(
              "message role '" + role + "' is not supported by provider type gemini");
    }
  }

  private static void append(JsonArray contents, String role, JsonArray parts) {
    OpenAiWire.appendTurn(contents, role, "parts", parts);
  }

  private static JsonArray userParts(Object content) {
    JsonArray parts = new JsonArray();
    if (content instanceof String s) {
      if (!s.isEmpty()) {
        parts.add(new JsonObject().put("text", s));
      }
      return parts;
    }
    if (!(content instanceof JsonArray array)) {
      throw new IllegalArgumentException("message content must be a string or an array of parts");
    }
    for (int i = 0; i < array.size(); i++) {
      JsonObject part = array.getJsonObject(i);
      String type = part.getString("type", "");
      switch (type) {
        case "text" -> {
          String text = part.getString("text", "");
          if (!text.isEmpty()) {
            parts.add(new JsonObject().put("text", text));
          }
        }
        case "image_url" -> parts.add(inlineImage(part));
        default ->
            throw new IllegalArgumentException(
                "content part type '" + type + "' is not supported by provider type gemini");
      }
    }
    return parts;
  }

  private static JsonObject inlineImage(JsonObject part) {
    OpenAiWire.DataUrl data = OpenAiWire.dataUrl(OpenAiWire.imageUrl(part));
    if (data == null) {
      // The gateway does no I/O for a translation, and Gemini's fileData takes only uploaded files.
      throw new IllegalArgumentException(
          "provider type gemini accepts images only as base64 data: URLs");
    }
    return new JsonObject()
        .put(
            "inlineData",
            new JsonObject().put("mimeType", data.mimeType()).put("data", data.base64()));
  }

  private static JsonArray modelParts(JsonObject m, Map<String, String> toolNames) {
    JsonArray parts = new JsonArray();
    String text = OpenAiWire.textOf(m.getValue("content"));
    if (!text.isEmpty()) {
      parts.add(new JsonObject().put("text", text));
    }
    JsonArray calls = m.getJsonArray("tool_calls", new JsonArray());
    for (int i = 0; i < calls.size(); i++) {
      JsonObject call = calls.getJsonObject(i);
      JsonObject fn = call.getJsonObject("function", new JsonObject());
      String id = call.getString("id", "");
      toolNames.put(id, fn.getString("name"));
      JsonObject part =
          new JsonObject()
              .put(
                  "functionCall",
                  new JsonObject()
                      .put("name", fn.getString("name"))
                      .put("args", OpenAiWire.parseArguments(fn.getString("arguments"))));
      String signature = GeminiToolIds.signatureOf(id);
      if (signature == null && i == 0) {
        // Gemini 3 validates the first call of each step; a history without one (e.g. from
        // another provider) uses Google's documented placeholder.
        signature = GeminiToolIds.SKIP_VALIDATOR;
      }
      if (signature != null) {
        part.put("thoughtSignature", signature);
      }
      parts.add(part);
    }
    return parts;
  }

  /** Gemini wants a JSON object as the function response: an object result as is, else wrapped. */
  private static JsonObject responseObject(Object content) {
    String text = OpenAiWire.textOf(content);
    String trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      try {
        return new JsonObject(trimmed);
      } catch (DecodeException notJson) {
        // falls through to the wrapped form
      }
    }
    return new JsonObject().put("content", text);
  }

  private static void tools(JsonObject in, JsonObject out) {
    JsonArray tools = in.getJsonArray("tools");
    if (tools == null || tools.isEmpty()) {
      return;
    }
    JsonArray declarations = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if (!"function".equals(tool.getString("type"))) {
        throw new IllegalArgumentException(
            "only function tools are supported by provider type gemini");
      }
      JsonObject fn = tool.getJsonObject("function", new JsonObject());
      JsonObject d = new JsonObject().put("name", fn.getString("name"));
      if (fn.getString("description") != null) {
        d.put("description", fn.getString("description"));
      }
      JsonObject parameters = fn.getJsonObject("parameters");
      if (parameters != null) {
        // Full JSON Schema: Gemini's older `parameters` accepts only an OpenAPI subset.
        d.put("parametersJsonSchema", parameters);
      }
      declarations.add(d);
    }
    out.put(
        "tools", new JsonArray().add(new JsonObject().put("functionDeclarations", declarations)));
    JsonObject calling = functionCallingConfig(in.getValue("tool_choice"));
    if (calling != null) {
      out.put("toolConfig", new JsonObject().put("functionCallingConfig", calling));
    }
  }

  private static JsonObject functionCallingConfig(Object choice) {
    if (choice == null) {
      return null;
    }
    if (choice instanceof String s) {
      return switch (s) {
        case "auto" -> new JsonObject().put("mode", "AUTO");
        case "required" -> new JsonObject().put("mode", "ANY");
        case "none" -> new JsonObject().put("mode", "NONE");
        default -> throw new IllegalArgumentException("unknown tool_choice '" + s + "'");
      };
    }
    if (choice instanceof JsonObject o && o.getJsonObject("function") != null) {
      return new JsonObject()
          .put("mode", "ANY")
          .put(
              "allowedFunctionNames",
              new JsonArray().add(o.getJsonObject("function").getString("name")));
    }
    throw new IllegalArgumentException("tool_choice must be auto, required, none or a function");
  }

  private static JsonObject generationConfig(JsonObject in) {
    JsonObject c = new JsonObject();
    Integer maxTokens = OpenAiWire.maxTokens(in);
    if (maxTokens != null) {
      c.put("maxOutputTokens", maxTokens);
    }
    copy(in, "temperature", c, "temperature");
    copy(in, "top_p", c, "topP");
    copy(in, "seed", c, "seed");
    copy(in, "presence_penalty", c, "presencePenalty");
    copy(in, "frequency_penalty", c, "frequencyPenalty");
    JsonArray stop = OpenAiWire.stopSequences(in);
    if (stop != null) {
      c.put("stopSequences", stop);
    }
    JsonObject format = in.getJsonObject("response_format");
    String type = format == null ? "text" : format.getString("type", "text");
    switch (type) {
      case "json_object" -> c.put("responseMimeType", "application/json");
      case "json_schema" -> {
        JsonObject schema =
            format.getJsonObject("json_schema", new JsonObject()).getJsonObject("schema");
        c.put("responseMimeType", "application/json");
        if (schema != null) {
          c.put("responseJsonSchema", schema);
        }
      }
      case "text" -> {}
      default -> throw new IllegalArgumentException("unknown response_format type '" + type + "'");
    }
    return c;
  }

  private static void copy(JsonObject in, String from, JsonObject out, String to) {
    Object v = in.getValue(from);
    if (v != null) {
      out.put(to, v);
    }
  }
}
