package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI legacy completions shapes ({@code POST /v1/completions}) as the provider sends them, for
 * the OpenAI-compatible and Azure fakes: the {@code text_completion} object with its {@code usage},
 * and the stream of {@code text_completion} chunks (text in {@code choices[].text}), a usage-only
 * chunk when {@code stream_options.include_usage} asked for it, then {@code [DONE]}.
 */
public final class Completions {

  public static final String PATH = "/v1/completions";
  public static final String ID = "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7";
  public static final String MODEL = "gpt-3.5-turbo-instruct";

  private Completions() {}

  /** A {@code text_completion} with one choice per text, indexed in order. */
  public static JsonObject completion(List<String> texts, long promptTokens, long completionTokens) {
    JsonArray choices = new JsonArray();
    for (int i = 0; i < texts.size(); i++) {
      choices.add(choice(i, texts.get(i), "length"));
    }
    return base().put("choices", choices).put("usage", FakeOpenAiCompatible.usage(promptTokens, completionTokens));
  }

  /** One chunk per piece (choice 0), a finish chunk, the usage chunk if asked, {@code [DONE]}. */
  public static List<String> textEvents(List<String> pieces, long promptTokens, long completionTokens, boolean includeUsage) {
    List<String> events = new ArrayList<>();
    for (String piece : pieces) {
      events.add(Sse.data(base().put("choices", new JsonArray().add(choice(0, piece, null))).encode()));
    }
    events.add(Sse.data(base().put("choices", new JsonArray().add(choice(0, "", "stop"))).encode()));
    if (includeUsage) {
      events.add(Sse.data(base().put("choices", new JsonArray())
          .put("usage", FakeOpenAiCompatible.usage(promptTokens, completionTokens)).encode()));
    }
    events.add(Sse.data("[DONE]"));
    return events;
  }

  private static JsonObject choice(int index, String text, String finishReason) {
    JsonObject c = new JsonObject().put("text", text).put("index", index).putNull("logprobs");
    return finishReason == null ? c.putNull("finish_reason") : c.put("finish_reason", finishReason);
  }

  private static JsonObject base() {
    return new JsonObject()
        .put("id", ID)
        .put("object", "text_completion")
        .put("created", 1589478378L)
        .put("model", MODEL)
        .put("system_fingerprint", "fp_44709d6fcb");
  }
}
