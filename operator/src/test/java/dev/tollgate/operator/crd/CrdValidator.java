package dev.tollgate.operator.crd;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validates objects against a generated CRD the way the API server would: structural defaults, the
 * OpenAPI schema (types, required, enums, patterns, bounds, unknown fields) and every
 * {@code x-kubernetes-validations} CEL rule, evaluated with cel-java. Transition rules (those using
 * {@code oldSelf}) run only when an old object is given and holds the field.
 */
final class CrdValidator {

  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new HashMap<>();

  private final Map<String, Object> schema;

  CrdValidator(Map<String, Object> crd) {
    this.schema = GeneratedCrds.schema(crd);
  }

  static CrdValidator forKind(String kind) {
    return new CrdValidator(GeneratedCrds.byKind().get(kind));
  }

  /** The error messages ({@code <path>: <message>}); empty when the object is valid. */
  List<String> validate(Map<String, Object> object, Map<String, Object> old) {
    Object obj = normalize(object);
    Object prev = old == null ? null : normalize(old);
    applyDefaults(schema, obj);
    if (prev != null) {
      applyDefaults(schema, prev);
    }
    List<String> errors = new ArrayList<>();
    walk(schema, obj, prev, "", errors);
    return errors;
  }

  @SuppressWarnings("unchecked")
  private void walk(Map<String, Object> s, Object value, Object old, String path, List<String> errors) {
    String where = path.isEmpty() ? "<root>" : path;
    if (value == null) {
      return;
    }
    String type = (String) s.get("type");
    if (type != null && !hasType(type, value)) {
      errors.add(where + ": must be of type " + type);
      return;
    }
    if (s.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
      errors.add(where + ": must be one of " + allowed);
    }
    if (value instanceof String str) {
      if (s.get("pattern") instanceof String p && !Pattern.compile(p).matcher(str).find()) {
        errors.add(where + ": must match " + p);
      }
      if (s.get("maxLength") instanceof Number n && str.length() > n.longValue()) {
        errors.add(where + ": must be at most " + n + " characters");
      }
      if (s.get("minLength") instanceof Number n && str.length() < n.longValue()) {
        errors.add(where + ": must be at least " + n + " characters");
      }
    }
    if (value instanceof Number num) {
      if (s.get("minimum") instanceof Number n && num.doubleValue() < n.doubleValue()) {
        errors.add(where + ": must be at least " + n);
      }
      if (s.get("maximum") instanceof Number n && num.doubleValue() > n.doubleValue()) {
        errors.add(where + ": must be at most " + n);
      }
    }
    if (value instanceof List<?> list) {
      if (s.get("maxItems") instanceof Number n && list.size() > n.longValue()) {
        errors.add(where + ": must have at most " + n + " items");
      }
      if (s.get("minItems") instanceof Number n && list.size() < n.longValue()) {
        errors.add(where + ": must have at least " + n + " items");
      }
      if (s.get("items") instanceof Map<?, ?> items) {
        for (int i = 0; i < list.size(); i++) {
          walk((Map<String, Object>) items, list.get(i), null, path + "[" + i + "]", errors);
        }
      }
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> m = (Map<String, Object>) map;
      Map<String, Object> oldMap = old instanceof Map<?, ?> om ? (Map<String, Object>) om : null;
      if (s.get("required") instanceof List<?> required) {
        for (Object r : required) {
          if (!m.containsKey(r)) {
            errors.add(where + ": " + r + " is required");
          }
        }
      }
      if (s.get("maxProperties") instanceof Number n && m.size() > n.longValue()) {
        errors.add(where + ": must have at most " + n + " entries");
      }
      Map<String, Object> props = (Map<String, Object>) s.get("properties");
      boolean preserve = Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"));
      for (Map.Entry<String, Object> e : m.entrySet()) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        Object oldChild = oldMap == null ? null : oldMap.get(e.getKey());
        if (props != null && props.get(e.getKey()) instanceof Map<?, ?> ps) {
          walk((Map<String, Object>) ps, e.getValue(), oldChild, child, errors);
        } else if (s.get("additionalProperties") instanceof Map<?, ?> ap) {
          walk((Map<String, Object>) ap, e.getValue(), oldChild, child, errors);
        } else if (path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
          continue; // implicit at the root of every object, validated by the API server itself
        } else if (!preserve && props != null) {
          errors.add(child + ": unknown field");
        }
      }
    }
    if (s.get("x-kubernetes-validations") instanceof List<?> rules) {
      for (Object r : rules) {
        Map<String, Object> rule = (Map<String, Object>) r;
        String expr = (String) rule.get("rule");
        boolean transition = expr.contains("oldSelf");
        if (transition && old == null) {
          continue;
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", value);
        if (transition) {
          vars.put("oldSelf", old);
        }
        Object result;
        try {
          result = program(expr).eval(vars);
        } catch (Exception e) {
          errors.add(where + ": rule '" + expr + "' failed to evaluate: " + e.getMessage());
          continue;
        }
        if (!Boolean.TRUE.equals(result)) {
          errors.add(where + ": " + Objects.requireNonNullElse(rule.get("message"), "failed rule: " + expr));
        }
      }
    }
  }

  private static synchronized CelRuntime.Program program(String expr) throws Exception {
    CelRuntime.Program p = PROGRAMS.get(expr);
    if (p == null) {
      CelAbstractSyntaxTree ast = COMPILER.compile(expr).getAst();
      p = RUNTIME.createProgram(ast);
      PROGRAMS.put(expr, p);
    }
    return p;
  }

  private static boolean hasType(String type, Object v) {
    return switch (type) {
      case "object" -> v instanceof Map;
      case "array" -> v instanceof List;
      case "string" -> v instanceof String;
      case "integer" -> v instanceof Long;
      case "number" -> v instanceof Number;
      case "boolean" -> v instanceof Boolean;
      default -> true;
    };
  }

  /** Structural defaulting, as the API server does before validation. */
  @SuppressWarnings("unchecked")
  private static void applyDefaults(Map<String, Object> s, Object value) {
    if (value instanceof Map<?, ?> map && s.get("properties") instanceof Map<?, ?> props) {
      Map<String, Object> m = (Map<String, Object>) map;
      for (Map.Entry<String, Object> p : ((Map<String, Object>) props).entrySet()) {
        Map<String, Object> ps = (Map<String, Object>) p.getValue();
        if (!m.containsKey(p.getKey()) && ps.containsKey("default")) {
          m.put(p.getKey(), normalize(ps.get("default")));
        }
        if (m.containsKey(p.getKey())) {
          applyDefaults(ps, m.get(p.getKey()));
        }
      }
    } else if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
      for (Object o : list) {
        applyDefaults((Map<String, Object>) items, o);
      }
    }
  }

  /** Deep copy with CEL-friendly types: integers as Long, mutable maps and lists. */
  @SuppressWarnings("unchecked")
  static Object normalize(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, val) -> out.put(String.valueOf(k), normalize(val)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(o -> out.add(normalize(o)));
      return out;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof java.math.BigInteger b) {
      return b.longValue();
    }
    return v;
  }
}
