package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fake OpenAI Responses API that stores what it answers, as OpenAI does for one account: {@code POST
 * /v1/responses} gives each response a new id and keeps it (unless {@code store: false}) with its
 * input items; {@code previous_response_id} must name a response it keeps (else OpenAI's 400 {@code
 * previous_response_not_found}), and the answer's text counts the turns of the chain ({@code
 * "turn 2 at <name>"}), so a test sees the state was followed; {@code GET /v1/responses/{id}},
 * {@code GET .../input_items} and {@code DELETE /v1/responses/{id}} read and delete them (404 for
 * an id it does not keep). {@code Authorization: Bearer <key>}. Scripted replies still take
 * precedence over the stored behaviour (e.g. a 500 to make the gateway retry).
 */
public final class FakeStatefulResponses extends FakeProvider {

  private static final Pattern STORED = Pattern.compile("/v1/responses/([^/]+)(/input_items)?");
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String name;
  private final Map<String, JsonObject> responses = new ConcurrentHashMap<>();
  private final Map<String, JsonArray> inputs = new ConcurrentHashMap<>();
  private final Map<String, Integer> turns = new ConcurrentHashMap<>();
  private volatile long eventDelayMs;

  /** A fake account named {@code name} (in its ids and answers) accepting {@code apiKey}. */
  public FakeStatefulResponses(String name, String apiKey) {
    super(apiKey);
    this.name = name;
  }

  /** {@code http://127.0.0.1:<port>/v1}, the form OpenAI SDK base URLs take. */
  @Override
  public String baseUrl() {
    return super.baseUrl() + "/v1";
  }

  /** Streams its answers one event every {@code ms} (until {@link #reset}). */
  public FakeStatefulResponses eventDelayMs(long ms) {
    this.eventDelayMs = ms;
    return this;
  }

  @Override
  public void reset() {
    super.reset();
    eventDelayMs = 0;
  }

  /** True if this account keeps a response with this id. */
  public boolean keeps(String id) {
    return responses.containsKey(id);
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    boolean create = "POST".equals(r.method()) && Responses.PATH.equals(r.path());
    Matcher m = STORED.matcher(r.path());
    boolean stored = m.matches() && ("GET".equals(r.method()) || "DELETE".equals(r.method()) && m.group(2) == null);
    if (!create && !stored) {
      return Reply.json(404, FakeOpenAiCompatible.error("Unknown request URL: " + r.method() + " " + r.path(),
          "invalid_request_error", "unknown_url"));
    }
    if (!("Bearer " + apiKey).equals(r.header("authorization"))) {
      return Reply.json(401, FakeOpenAiCompatible.error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    if (stored && !responses.containsKey(m.group(1))) {
      return Reply.json(404, FakeOpenAiCompatible.error("Response with id '" + m.group(1) + "' not found.",
          "invalid_request_error", null));
    }
    if (create && r.json().getValue("previous_response_id") instanceof String prev && !responses.containsKey(prev)) {
      JsonObject e = FakeOpenAiCompatible.error("Previous response with id '" + prev + "' not found.",
          "invalid_request_error", "previous_response_not_found");
      e.getJsonObject("error").put("param", "previous_response_id");
      return Reply.json(400, e);
    }
    return null;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    Matcher m = STORED.matcher(r.path());
    if (m.matches()) {
      String id = m.group(1);
      if ("DELETE".equals(r.method())) {
        responses.remove(id);
        inputs.remove(id);
        return Reply.json(200, new JsonObject().put("id", id).put("object", "response.deleted").put("deleted", true));
      }
      if (m.group(2) == null) {
        return Reply.json(200, responses.get(id));
      }
      JsonArray items = inputs.get(id);
      return Reply.json(200, new JsonObject().put("object", "list").put("data", items)
          .put("first_id", items.getJsonObject(0).getString("id"))
          .put("last_id", items.getJsonObject(items.size() - 1).getString("id"))
          .put("has_more", false));
    }
    JsonObject body = r.json();
    String id = "resp_" + name + "_" + IDS.incrementAndGet();
    String prev = body.getString("previous_response_id");
    int turn = prev == null ? 1 : turns.get(prev) + 1;
    boolean store = !Boolean.FALSE.equals(body.getValue("store"));
    String text = "turn " + turn + " at " + name;
    JsonObject response = Responses.response(text, 10, 0, 5, 0)
        .put("id", id).put("model", body.getString("model")).put("store", store).put("previous_response_id", prev);
    if (store) {
      responses.put(id, response);
      inputs.put(id, inputItems(body.getValue("input")));
      turns.put(id, turn);
    }
    if (!FakeOpenAiCompatible.wantsStream(body)) {
      return Reply.json(200, response);
    }
    List<String> events = new ArrayList<>();
    for (String e : Responses.textEvents(List.of("turn " + turn, " at " + name), 10, 0, 5)) {
      // the shapes of Responses, with this response's id, model and store flag
      int at = e.indexOf("data: ") + "data: ".length();
      JsonObject data = new JsonObject(e.substring(at));
      if (data.getValue("response") instanceof JsonObject resp) {
        resp.put("id", id).put("model", body.getString("model")).put("store", store).put("previous_response_id", prev);
      }
      events.add(e.substring(0, at) + data.encode());
    }
    return Reply.sse(events).eventDelayMs(eventDelayMs);
  }

  /** The request's input as OpenAI lists it: message items with ids. */
  private static JsonArray inputItems(Object input) {
    JsonArray items = new JsonArray();
    if (input instanceof String s) {
      items.add(new JsonObject().put("type", "message").put("role", "user")
          .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", s))));
    } else if (input instanceof JsonArray list) {
      list.forEach(i -> items.add(((JsonObject) i).copy()));
    }
    for (int i = 0; i < items.size(); i++) {
      items.getJsonObject(i).put("id", "msg_in_" + IDS.incrementAndGet()).put("status", "completed");
    }
    return items;
  }
}
