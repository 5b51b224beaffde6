package dev.tollgate.gateway.provider.anthropic;

import dev.tollgate.gateway.provider.OpenAiWire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI chat-completions request → Anthropic Messages request body. Throws {@link
 * IllegalArgumentException} (message safe for the client) for what Anthropic cannot express.
 */
public final class AnthropicRequests {

  private AnthropicRequests() {}

  public static JsonObject messagesBody(JsonObject in, String upstreamModel, int defaultMaxTokens) {
    OpenAiWire.requireSingleChoice(in, "anthropic");
    OpenAiWire.requireNoWebSearch(in, "anthropic");
    JsonObject out = new JsonObject().put("model", upstreamModel);
    Integer maxTokens = OpenAiWire.maxTokens(in);
    out.put("max_tokens", maxTokens != null ? maxTokens : defaultMaxTokens);
    JsonArray system = new JsonArray();
    JsonArray messages = new JsonArray();
    JsonArray openAiMessages = in.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < openAiMessages.size(); i++) {
      translate(openAiMessages.getJsonObject(i), system, messages);
    }
    if (!system.isEmpty()) {
      out.put("system", system);
    }
    out.put("messages", messages);
    copy(in, "temperature", out, "temperature");
    copy(in, "top_p", out, "top_p");
    JsonArray stop = OpenAiWire.stopSequences(in);
    if (stop != null) {
      out.put("stop_sequences", stop);
    }
    String user = in.getString("user");
    if (user != null) {
      out.put("metadata", new JsonObject().put("user_id", user));
    }
    tools(in, out);
    JsonObject format = in.getJsonObject("response_format");
    if (format != null && "json_schema".equals(format.getString("type"))) {
      // Ignoring it would hand back prose where the client was promised schema-valid JSON.
      throw new IllegalArgumentException(
          "response_format json_schema is not supported by provider type anthropic");
    }
    return out;
  }

  private static void translate(JsonObject m, JsonArray system, JsonArray messages) {
    String role = m.getString("role", "");
    switch (role) {
      case "system", "developer" -> {
        String text = OpenAiWire.textOf(m.getValue("content"));
        if (!text.isEmpty()) {
          system.add(textBlock(text));
        }
      }
      case "user" -> append(messages, "user", userBlocks(m.getValue("content")));
      case "assistant" -> append(messages, "assistant", assistantBlocks(m));
      case "tool" -> {
        String id = m.getString("tool_call_id");
        if (id == null) {
          throw new IllegalArgumentException("tool messages need a tool_call_id");
        }
        JsonObject result =
            new JsonObject()
                .put("type", "tool_result")
                .put("tool_use_id", id)
                .put("content", OpenAiWire.textOf(m.getValue("content")));
        append(messages, "user", new JsonArray().add(result));
      }
      default ->
          throw new IllegalArgumentException(
              "message role '" + role + "' is not supported by provider type anthropic");
    }
  }

  private static void append(JsonArray messages, String role, JsonArray blocks) {
    OpenAiWire.appendTurn(messages, role, "content", blocks);
  }

  private static JsonArray userBlocks(Object content) {
    JsonArray blocks = new JsonArray();
    if (content instanceof String s) {
      if (!s.isEmpty()) {
        blocks.add(textBlock(s));
      }
      return blocks;
    }
    if (!(content instanceof JsonArray parts)) {
      throw new IllegalArgumentException("message content must be a string or an array of parts");
    }
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      String type = part.getString("type", "");
      switch (type) {
        case "text" -> {
          String text = part.getString("text", "");
          if (!text.isEmpty()) {
            blocks.add(textBlock(text));
          }
        }
        case "image_url" -> blocks.add(image(part));
        default ->
            throw new IllegalArgumentException(
                "content part type '" + type + "' is not supported by provider type anthropic");
      }
    }
    return blocks;
  }

  private static JsonObject image(JsonObject part) {
    String url = OpenAiWire.imageUrl(part);
    OpenAiWire.DataUrl data = OpenAiWire.dataUrl(url);
    JsonObject source =
        data == null
            ? new JsonObject().put("type", "url").put("url", url)
            : new JsonObject()
                .put("type", "base64")
                .put("media_type", data.mimeType())
                .put("data", data.base64());
    return new JsonObject().put("type", "image").put("source", source);
  }

  private static JsonArray assistantBlocks(JsonObject m) {
    JsonArray blocks = new JsonArray();
    String text = OpenAiWire.textOf(m.getValue("content"));
    if (!text.isEmpty()) {
      blocks.add(textBlock(text));
    }
    JsonArray calls = m.getJsonArray("tool_calls", new JsonArray());
    for (int i = 0; i < calls.size(); i++) {
      JsonObject call = calls.getJsonObject(i);
      JsonObject fn = call.getJsonObject("function", new JsonObject());
      blocks.add(
          new JsonObject()
              .put("type", "tool_use")
              .put("id", call.getString("id"))
              .put("name", fn.getString("name"))
              .put("input", OpenAiWire.parseArguments(fn.getString("arguments"))));
    }
    return blocks;
  }

  private static void tools(JsonObject in, JsonObject out) {
    JsonArray tools = in.getJsonArray("tools");
    if (tools == null || tools.isEmpty()) {
      return;
    }
    JsonArray translated = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      JsonObject tool = tools.getJsonObject(i);
      if (!"function".equals(tool.getString("type"))) {
        throw new IllegalArgumentException(
            "only function tools are supported by provider type anthropic");
      }
      JsonObject fn = tool.getJsonObject("function", new JsonObject());
      JsonObject t = new JsonObject().put("name", fn.getString("name"));
      if (fn.getString("description") != null) {
        t.put("description", fn.getString("description"));
      }
      t.put(
          "input_schema",
          fn.getJsonObject(
              "parameters",
              new JsonObject().put("type", "object").put("properties", new JsonObject())));
      translated.add(t);
    }
    out.put("tools", translated);
    JsonObject choice = toolChoice(in.getValue("tool_choice"));
    if (Boolean.FALSE.equals(in.getBoolean("parallel_tool_calls"))
        && (choice == null || !"none".equals(choice.getString("type")))) {
      choice = choice == null ? new JsonObject().put("type", "auto") : choice;
      choice.put("disable_parallel_tool_use", true);
    }
    if (choice != null) {
      out.put("tool_choice", choice);
    }
  }

  private static JsonObject toolChoice(Object choice) {
    if (choice == null) {
      return null;
    }
    if (choice instanceof String s) {
      return switch (s) {
        case "auto" -> new JsonObject().put("type", "auto");
        case "required" -> new JsonObject().put("type", "any");
        case "none" -> new JsonObject().put("type", "none");
        default -> throw new IllegalArgumentException("unknown tool_choice '" + s + "'");
      };
    }
    if (choice instanceof JsonObject o && o.getJsonObject("function") != null) {
      return new JsonObject()
          .put("type", "tool")
          .put("name", o.getJsonObject("function").getString("name"));
    }
    throw new IllegalArgumentException("tool_choice must be auto, required, none or a function");
  }

  private static JsonObject textBlock(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static void copy(JsonObject in, String from, JsonObject out, String to) {
    Object v = in.getValue(from);
    if (v != null) {
      out.put(to, v);
    }
  }
}
