package dev.tollgate.gateway.metering;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Counts tokens before the call (with a real tokenizer, o200k_base) so that rate limits and the spend
 * reservation have a number to work with; the provider's reported usage replaces it afterwards. Chat
 * overheads follow OpenAI's published counting recipe (3 per message, 3 to prime the reply).
 */
public final class TokenEstimator {

  /** A high-detail image of about 1024x1024 pixels (OpenAI's tile arithmetic: 85 + 4 * 170). */
  static final int IMAGE_TOKENS = 765;
  /** Audio or files we cannot inspect: a fixed, generous guess. */
  static final int OPAQUE_PART_TOKENS = 1000;

  /** Part fields whose media is counted as an opaque part, in both spellings Google's parser accepts. */
  private static final List<String> GEMINI_MEDIA = List.of("inlineData", "inline_data", "fileData", "file_data");

  private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  /** Every message names a role, almost always one of these: counted once, not per message. */
  private static final class Roles {
    static final Map<String, Integer> TOKENS = Stream.of("system", "developer", "user", "assistant", "tool", "function")
        .collect(Collectors.toUnmodifiableMap(r -> r, ENCODING::countTokensOrdinary));
  }

  /** Loads the encoding tables (about a second) before the first request needs them. */
  public static void warmUp() {
    ENCODING.countTokensOrdinary("warm up");
    Roles.TOKENS.size();
  }

  /**
   * Counts of texts seen recently, by a 64-bit hash of the text: clients resend the same system
   * prompt and the whole conversation so far with every turn, and the tokenizer (a regex pass plus
   * byte-pair merges) is the costliest step of admission. No text is kept, only hash bits and a
   * count; a false hit needs two texts whose hashes agree in 52 bits (the slot's 12 and the
   * {@value #CACHE_HASH_BITS} kept), and would only skew an estimate that the provider's usage
   * replaces. Direct-mapped: each slot is one long (hash bits | count), so concurrent use needs no
   * lock.
   */
  private static final int CACHE_SLOTS = 4096;
  private static final int CACHE_HASH_BITS = 40;
  private static final long COUNT_MASK = (1L << (64 - CACHE_HASH_BITS)) - 1;
  private final long[] counted = new long[CACHE_SLOTS];

  /** Tokens in plain text. */
  public long count(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    long h = hash(text);
    int slot = (int) h & (CACHE_SLOTS - 1);
    long tag = h & ~COUNT_MASK;
    long entry = counted[slot];
    if ((entry & ~COUNT_MASK) == tag && entry != 0) {
      return entry & COUNT_MASK;
    }
    int n = ENCODING.countTokensOrdinary(text);
    if (n <= COUNT_MASK) {
      counted[slot] = tag | n;
    }
    return n;
  }

  /**
   * Seeded per process: a client that could craft two texts with one hash could get a long prompt
   * counted as a short one, and so reserve less than its worst case. Without the seed it cannot.
   */
  private static final long SEED = new SecureRandom().nextLong();

  /** FNV-1a over the chars from a secret seed, then Murmur3's finalizer: every bit reaches every bit. */
  static long hash(String text) {
    long h = (0xcbf29ce484222325L ^ SEED) ^ text.length();
    for (int i = 0; i < text.length(); i++) {
      h = (h ^ text.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  /** Prompt tokens of a chat-completions body: messages, tools and the reply priming. */
  public long chatPrompt(JsonObject body) {
    long n = 3;
    JsonArray messages = body.getJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      Object m = messages.getValue(i);
      if (!(m instanceof JsonObject msg)) {
        continue;
      }
      n += 3;
      String role = msg.getString("role", "");
      Integer known = Roles.TOKENS.get(role);
      n += known != null ? known : count(role);
      if (msg.getValue("name") instanceof String name) {
        n += 1 + count(name);
      }
      n += content(msg.getValue("content"));
      if (msg.getValue("tool_calls") instanceof JsonArray calls) {
        n += count(calls.encode());
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += count(tools.encode());
    }
    if (body.getValue("functions") instanceof JsonArray fns) {
      n += count(fns.encode());
    }
    return n;
  }

  /**
   * Prompt tokens of a Responses API body: {@code instructions}, the {@code input} (a string, or
   * items: messages counted like chat messages, function calls and their outputs by their text,
   * anything else by its JSON), tools and the reply priming. Conversation state the provider keeps
   * ({@code previous_response_id}) is not visible here; the provider's usage bills it.
   */
  public long responsesPrompt(JsonObject body) {
    long n = 3 + count(body.getValue("instructions") instanceof String s ? s : null);
    Object input = body.getValue("input");
    if (input instanceof String s) {
      n += 3 + Roles.TOKENS.get("user") + count(s);
    } else if (input instanceof JsonArray items) {
      for (int i = 0; i < items.size(); i++) {
        if (items.getValue(i) instanceof JsonObject item) {
          n += responsesItem(item);
        }
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += count(tools.encode());
    }
    return n;
  }

  private long responsesItem(JsonObject item) {
    String type = item.getString("type", item.containsKey("role") ? "message" : "");
    return switch (type) {
      case "message" -> {
        String role = item.getString("role", "");
        Integer known = Roles.TOKENS.get(role);
        yield 3 + (known != null ? known : count(role)) + content(item.getValue("content"));
      }
      case "function_call" -> count(item.getString("name", "")) + count(item.getString("arguments", ""));
      case "function_call_output" -> item.getValue("output") instanceof String out ? count(out) : content(item.getValue("output"));
      default -> count(item.encode());
    };
  }

  /**
   * Prompt tokens of an Anthropic Messages body: {@code system} (a string or text blocks), every
   * message's content blocks (text, tool calls and results, thinking; images at a fixed count) and
   * {@code tools}, with chat's per-message overhead.
   */
  public long messagesPrompt(JsonObject body) {
    long n = 3 + content(body.getValue("system"));
    JsonArray messages = body.getJsonArray("messages");
    for (int i = 0; i < messages.size(); i++) {
      if (messages.getValue(i) instanceof JsonObject msg) {
        String role = msg.getString("role", "");
        Integer known = Roles.TOKENS.get(role);
        n += 3 + (known != null ? known : count(role)) + content(msg.getValue("content"));
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += count(tools.encode());
    }
    return n;
  }

  /**
   * Prompt tokens of a Gemini {@code GenerateContentRequest}: the system instruction and every
   * content's parts (text counted; inline and file data, images and other media, at the fixed count
   * of an opaque part; any other part, a function call or response, code or its result, by its JSON)
   * and {@code tools}, with chat's per-message overhead. Google's parser also takes the proto field
   * names ({@code system_instruction}, {@code function_response}...), which its own examples send:
   * both spellings count, or a prompt spelled the other way would escape the reservation.
   */
  public long geminiPrompt(JsonObject body) {
    long n = 3;
    for (String field : List.of("systemInstruction", "system_instruction")) {
      n += body.getValue(field) instanceof JsonObject system ? geminiParts(system.getValue("parts")) : 0;
    }
    for (Object c : body.getJsonArray("contents")) {
      if (c instanceof JsonObject content) {
        n += 3 + count(content.getValue("role") instanceof String role ? role : null) + geminiParts(content.getValue("parts"));
      }
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      n += count(tools.encode());
    }
    return n;
  }

  private long geminiParts(Object parts) {
    long n = 0;
    if (parts instanceof JsonArray list) {
      for (Object p : list) {
        if (p instanceof JsonObject part) {
          n += part.getValue("text") instanceof String text ? count(text)
              : GEMINI_MEDIA.stream().anyMatch(part::containsKey) ? OPAQUE_PART_TOKENS
              : count(part.encode());
        }
      }
    }
    return n;
  }

  /** Output tokens of an Anthropic {@code message} that came without usage: its content blocks. */
  public long messagesOutput(JsonObject message) {
    return content(message.getValue("content"));
  }

  /**
   * Prompt tokens of a legacy completions body: every prompt (text counted, token ids taken as
   * given, as for embeddings) and the fill-in-the-middle {@code suffix}; raw text, so no message
   * overhead.
   */
  public long completionsPrompt(JsonObject body) {
    return embeddingsInput(body.getValue("prompt")) + count(body.getValue("suffix") instanceof String s ? s : null);
  }

  /**
   * Input tokens of an embeddings or moderations body: a string, strings, already tokenized arrays,
   * or (moderations) multimodal parts, images at the fixed count.
   */
  public long input(Object input) {
    if (input instanceof JsonArray arr && !arr.isEmpty() && arr.getValue(0) instanceof JsonObject) {
      return content(arr);
    }
    return embeddingsInput(input);
  }

  /** Input tokens of an embeddings body: a string, strings, or already tokenized arrays. */
  public long embeddingsInput(Object input) {
    if (input instanceof String s) {
      return count(s);
    }
    long n = 0;
    if (input instanceof JsonArray arr) {
      for (int i = 0; i < arr.size(); i++) {
        Object v = arr.getValue(i);
        if (v instanceof String s) {
          n += count(s);
        } else if (v instanceof Number) {
          n += 1;
        } else if (v instanceof JsonArray inner) {
          n += inner.size();
        }
      }
    }
    return n;
  }

  /**
   * An Anthropic {@code document} block: a plain-text source ({@code "type":"text"}, its {@code data})
   * or a content source (a string or text blocks) is counted with its {@code title} and {@code
   * context}; a PDF (inline, by URL or by file id) at the fixed count of an opaque part.
   */
  private long document(JsonObject part) {
    JsonObject source = part.getValue("source") instanceof JsonObject o ? o : new JsonObject();
    long n = count(part.getValue("title") instanceof String t ? t : null)
        + count(part.getValue("context") instanceof String c ? c : null);
    return n + switch (source.getValue("type") instanceof String t ? t : "") {
      case "text" -> count(source.getValue("data") instanceof String d ? d : null);
      case "content" -> content(source.getValue("content"));
      default -> OPAQUE_PART_TOKENS;
    };
  }

  private long content(Object content) {
    if (content instanceof String s) {
      return count(s);
    }
    long n = 0;
    if (content instanceof JsonArray parts) {
      for (int i = 0; i < parts.size(); i++) {
        if (!(parts.getValue(i) instanceof JsonObject part)) {
          continue;
        }
        switch (part.getString("type", "")) {
          case "text", "input_text", "output_text" -> n += count(part.getString("text", ""));
          case "refusal" -> n += count(part.getString("refusal", ""));
          // Anthropic content blocks
          case "thinking" -> n += count(part.getString("thinking", ""));
          case "tool_use" -> n += count(part.getString("name", "")) + count(part.getValue("input") instanceof JsonObject in ? in.encode() : "");
          case "tool_result" -> n += content(part.getValue("content"));
          case "image_url", "image", "input_image" -> n += IMAGE_TOKENS;
          // Anthropic documents and search results carry text the model reads as prompt: counted, or
          // a long one would be reserved as one opaque part and billed as all of it
          case "document" -> n += document(part);
          case "search_result" -> n += count(part.getValue("title") instanceof String t ? t : null)
              + count(part.getValue("source") instanceof String src ? src : null) + content(part.getValue("content"));
          default -> n += OPAQUE_PART_TOKENS;
        }
      }
    }
    return n;
  }
}
