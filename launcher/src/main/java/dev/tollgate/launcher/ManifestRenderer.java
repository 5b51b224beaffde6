package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns a folder of user manifests into what the local operator applies: the manifests unchanged,
 * except that each RoutePolicy provider whose real key is not in the environment is pointed at the
 * {@link DemoProvider}, and each provider whose key is given gets its credential Secret generated.
 * The decisions are returned as human-readable notes, so the user sees which provider is a demo.
 */
final class ManifestRenderer {

  /** Environment variable holding the real key for each provider type. */
  static final Map<String, String> KEY_ENV = Map.of(
      "openai", "OPENAI_API_KEY",
      "anthropic", "ANTHROPIC_API_KEY",
      "gemini", "GEMINI_API_KEY",
      "azure-openai", "AZURE_OPENAI_API_KEY",
      "openai-compatible", "OPENAI_COMPATIBLE_API_KEY");

  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private final Map<String, String> env;
  private final String demoBaseUrl;

  ManifestRenderer(Map<String, String> env, String demoBaseUrl) {
    this.env = env;
    this.demoBaseUrl = demoBaseUrl;
  }

  /** Result of one rendering: the notes to print. */
  record Rendered(List<String> notes) {}

  /** Renders every {@code *.yaml}/{@code *.yml} below {@code source} into {@code target} (replaced). */
  Rendered render(Path source, Path target) throws IOException {
    List<String> notes = new ArrayList<>();
    Map<String, ObjectNode> secrets = new LinkedHashMap<>();
    List<JsonNode> docs = new ArrayList<>();
    for (Path file : manifestFiles(source)) {
      try (var parser = YAML.getFactory().createParser(file.toFile())) {
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode doc = it.next();
          if (doc == null || !doc.isObject() || !doc.has("kind")) {
            continue;
          }
          if ("RoutePolicy".equals(doc.path("kind").asText())) {
            rewriteProviders((ObjectNode) doc, secrets, notes);
          }
          docs.add(doc);
        }
      }
    }
    Files.createDirectories(target);
    try (Stream<Path> old = Files.list(target)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode doc : docs) {
      out.append("---\n").append(YAML.writeValueAsString(doc));
    }
    for (ObjectNode secret : secrets.values()) {
      out.append("---\n").append(YAML.writeValueAsString(secret));
    }
    // Write to a temp name and move, so the operator never reads a half-written file.
    Path tmp = target.resolve(".manifests.yaml.tmp");
    Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, target.resolve("manifests.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return new Rendered(notes);
  }

  /** The newest modification time below {@code source}, to notice edits. */
  static long lastModified(Path source) throws IOException {
    long newest = 0;
    for (Path p : manifestFiles(source)) {
      newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
    }
    return newest + manifestFiles(source).size();
  }

  private static List<Path> manifestFiles(Path source) throws IOException {
    try (Stream<Path> s = Files.walk(source)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  private void rewriteProviders(ObjectNode policy, Map<String, ObjectNode> secrets, List<String> notes) {
    String ns = policy.path("metadata").path("namespace").asText("default");
    String policyName = policy.path("metadata").path("name").asText();
    JsonNode providers = policy.path("spec").path("providers");
    if (!providers.isArray()) {
      return;
    }
    for (JsonNode p : providers) {
      ObjectNode provider = (ObjectNode) p;
      String type = provider.path("type").asText();
      String name = provider.path("name").asText(type);
      String envName = KEY_ENV.get(type);
      String key = envName == null ? null : env.get(envName);
      JsonNode ref = provider.path("credentialsRef");
      if (key != null && !key.isBlank()) {
        if (ref.isObject()) {
          String secretName = ref.path("name").asText();
          String dataKey = ref.path("key").asText("apiKey");
          ObjectNode secret = secrets.computeIfAbsent(ns + "/" + secretName, k -> newSecret(ns, secretName));
          ((ObjectNode) secret.get("data")).put(dataKey,
              Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
        }
        notes.add("RoutePolicy " + ns + "/" + policyName + ": provider '" + name + "' (" + type
            + ") uses your " + envName);
      } else {
        // the demo speaks OpenAI's and Anthropic's wire formats: an anthropic provider stays one, so
        // /v1/messages (Claude Code, the Anthropic SDKs) works locally too
        if (!"anthropic".equals(type)) {
          provider.put("type", "openai-compatible");
        }
        provider.put("baseUrl", demoBaseUrl);
        provider.remove("credentialsRef");
        provider.remove("apiVersion");
        provider.remove("project"); // vertex-ai settings: the demo is not on Vertex AI
        provider.remove("location");
        notes.add("RoutePolicy " + ns + "/" + policyName + ": provider '" + name + "' (" + type
            + ") -> DEMO provider" + (envName == null ? "" : " (set " + envName + " to use the real one)"));
      }
    }
  }

  private static ObjectNode newSecret(String ns, String name) {
    ObjectNode s = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
    s.putObject("metadata").put("name", name).put("namespace", ns);
    s.put("type", "Opaque");
    s.putObject("data");
    return s;
  }
}
