package dev.tollgate.operator.local;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.SpendCap;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-process API server equal to a folder of {@code *.yaml}/{@code *.yml} manifests
 * (multi-document, any kind, Secrets included): changed files are re-applied, objects that left a
 * file (or whose file was removed) are deleted. Polls modification times; cheap for a few files.
 */
final class ManifestSync {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestSync.class);
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Map<String, Class<? extends HasMetadata>> OURS = Map.of(
      "Tenant", Tenant.class, "ApiKey", ApiKey.class, "SpendCap", SpendCap.class, "RoutePolicy", RoutePolicy.class);

  /** Identity of one applied object. */
  record Ref(String apiVersion, String kind, String namespace, String name) {}

  private final KubernetesClient client;
  private final Path folder;
  private final Map<Path, FileTime> seen = new HashMap<>();
  private final Map<Path, Set<Ref>> applied = new HashMap<>();

  ManifestSync(KubernetesClient client, Path folder) {
    this.client = client;
    this.folder = folder;
  }

  synchronized void syncOnce() {
    Map<Path, FileTime> now = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.sorted().toList()) {
        String n = p.getFileName().toString();
        if (Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"))) {
          now.put(p, Files.getLastModifiedTime(p));
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read manifests folder {}: {}", folder, e.getMessage());
      return;
    }
    for (Map.Entry<Path, FileTime> e : now.entrySet()) {
      if (!e.getValue().equals(seen.get(e.getKey()))) {
        applyFile(e.getKey());
        seen.put(e.getKey(), e.getValue());
      }
    }
    for (Path gone : new HashSet<>(seen.keySet())) {
      if (!now.containsKey(gone)) {
        applied.getOrDefault(gone, Set.of()).forEach(this::delete);
        applied.remove(gone);
        seen.remove(gone);
        LOG.info("local mode: {} removed", gone.getFileName());
      }
    }
  }

  private void applyFile(Path file) {
    List<HasMetadata> objects;
    try {
      objects = parse(Files.readString(file));
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("local mode: skipping {}: {}", file.getFileName(), e.getMessage());
      return;
    }
    Set<Ref> refs = new HashSet<>();
    for (HasMetadata o : objects) {
      try {
        apply(o);
        refs.add(ref(o));
      } catch (RuntimeException e) {
        LOG.warn("local mode: cannot apply {} {} from {}: {}", o.getKind(), o.getMetadata().getName(), file.getFileName(), e.getMessage());
      }
    }
    for (Ref old : applied.getOrDefault(file, Set.of())) {
      if (!refs.contains(old)) {
        delete(old);
      }
    }
    applied.put(file, refs);
    LOG.info("local mode: applied {} ({} objects)", file.getFileName(), refs.size());
  }

  /** Every document of a YAML stream as a typed object (our kinds, core kinds) or a generic one. */
  List<HasMetadata> parse(String yaml) throws IOException {
    var serialization = client.getKubernetesSerialization();
    java.util.ArrayList<HasMetadata> out = new java.util.ArrayList<>();
    try (MappingIterator<Map<String, Object>> docs = YAML.readerFor(Map.class).readValues(yaml)) {
      while (docs.hasNext()) {
        Map<String, Object> doc = docs.next();
        if (doc == null || doc.isEmpty()) {
          continue;
        }
        if (doc.get("kind") == null || doc.get("apiVersion") == null || !(doc.get("metadata") instanceof Map)) {
          throw new IllegalArgumentException("a document lacks apiVersion, kind or metadata");
        }
        Class<? extends HasMetadata> ours = String.valueOf(doc.get("apiVersion")).startsWith("tollgate.dev/")
            ? OURS.get(String.valueOf(doc.get("kind"))) : null;
        HasMetadata o = ours != null
            ? serialization.convertValue(doc, ours)
            : serialization.unmarshal(serialization.asJson(doc));
        if (o.getMetadata().getNamespace() == null) {
          o.getMetadata().setNamespace("default");
        }
        out.add(o);
      }
    }
    return out;
  }

  private void apply(HasMetadata desired) {
    HasMetadata existing = client.resource(desired).get();
    if (existing == null) {
      client.resource(desired).create();
      return;
    }
    if (sameContent(existing, desired)) {
      return;
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    desired.getMetadata().setFinalizers(existing.getMetadata().getFinalizers());
    client.resource(desired).update();
  }

  /** Compares everything but metadata and status (what a manifest does not own). */
  private boolean sameContent(HasMetadata existing, HasMetadata desired) {
    var s = client.getKubernetesSerialization();
    Map<String, Object> a = s.convertValue(existing, Map.class);
    Map<String, Object> b = s.convertValue(desired, Map.class);
    for (String k : List.of("metadata", "status")) {
      a.remove(k);
      b.remove(k);
    }
    return Objects.equals(a, b)
        && Objects.equals(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())
        && Objects.equals(existing.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations());
  }

  private void delete(Ref r) {
    GenericKubernetesResource target = new GenericKubernetesResource();
    target.setApiVersion(r.apiVersion());
    target.setKind(r.kind());
    target.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace(r.namespace()).withName(r.name()).build());
    Class<? extends HasMetadata> ours = OURS.get(r.kind());
    if (ours != null && r.apiVersion().startsWith("tollgate.dev/")) {
      client.resources(ours).inNamespace(r.namespace()).withName(r.name()).delete();
    } else {
      client.resource(target).delete();
    }
    LOG.info("local mode: deleted {} {}/{}", r.kind(), r.namespace(), r.name());
  }

  private static Ref ref(HasMetadata o) {
    return new Ref(o.getApiVersion(), o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
  }
}
