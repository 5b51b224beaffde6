package dev.tollgate.charts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two Kubernetes API calls that the chart's `lookup` makes (discovery of core/v1, GET of one
 * Secret), served on loopback. helm-java renders templates as a client-only install whose `lookup`
 * still asks the cluster from KUBECONFIG (surefire points it at the file this class writes), so the
 * tests can show both a first install (no Secret: 404) and an upgrade (the live Secret is read back).
 */
final class FakeKubeApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeKubeApi instance;

  private final HttpServer server;
  private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();

  private FakeKubeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts the server once per test JVM and writes the kubeconfig that surefire's KUBECONFIG names. */
  static synchronized FakeKubeApi get() {
    if (instance == null) {
      try {
        instance = new FakeKubeApi();
        String kubeconfigPath = System.getenv("KUBECONFIG");
        if (kubeconfigPath == null || kubeconfigPath.isBlank()) {
          throw new IllegalStateException("KUBECONFIG is not set: run the chart tests through Maven (see charts/pom.xml)");
        }
        Path kubeconfig = Path.of(kubeconfigPath);
        Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
        Files.writeString(kubeconfig, instance.kubeconfig());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** Replaces the Secrets the fake cluster holds: name → (data key → base64 value). */
  void secrets(Map<String, Map<String, String>> live) {
    secrets.clear();
    secrets.putAll(live);
  }

  private String kubeconfig() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    return String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: fake, cluster: {server: '" + url + "'}}]",
        "users: [{name: fake, user: {token: fake}}]",
        "contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: " + Chart.NAMESPACE + "}}]",
        "current-context: fake",
        "");
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String prefix = "/api/v1/namespaces/" + Chart.NAMESPACE + "/secrets/";
    if (path.equals("/api/v1")) {
      reply(ex, 200, Map.of(
          "kind", "APIResourceList",
          "apiVersion", "v1",
          "groupVersion", "v1",
          "resources", List.of(Map.of(
              "name", "secrets", "singularName", "secret", "namespaced", true, "kind", "Secret",
              "verbs", List.of("get", "list")))));
    } else if (path.startsWith(prefix) && secrets.containsKey(path.substring(prefix.length()))) {
      String name = path.substring(prefix.length());
      reply(ex, 200, Map.of(
          "apiVersion", "v1",
          "kind", "Secret",
          "metadata", Map.of("name", name, "namespace", Chart.NAMESPACE),
          "type", "Opaque",
          "data", secrets.get(name)));
    } else {
      reply(ex, 404, Map.of(
          "apiVersion", "v1", "kind", "Status", "status", "Failure", "reason", "NotFound", "code", 404,
          "message", path + " not found"));
    }
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
