package dev.tollgate.schema;

import java.util.List;

/**
 * Model name patterns: an exact name ({@code gpt-4o}), a glob with {@code *} matching any run of
 * characters ({@code gpt-4o*}, {@code claude-*}), or {@code *} for every model.
 */
public final class ModelPattern {

  private ModelPattern() {}

  public static boolean matches(String pattern, String model) {
    if (pattern == null || model == null) {
      return false;
    }
    return glob(pattern, 0, model, 0);
  }

  /** True if {@code model} matches any of {@code patterns}; an empty list matches nothing. */
  public static boolean matchesAny(List<String> patterns, String model) {
    for (String p : patterns) {
      if (matches(p, model)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if every model {@code inner} can match is also matched by {@code outer}: used to check that
   * a key's allowed models are never wider than its tenant's.
   */
  public static boolean covers(String outer, String inner) {
    if (outer.equals(inner) || "*".equals(outer)) {
      return true;
    }
    if (!inner.contains("*")) {
      return matches(outer, inner);
    }
    // A pattern is covered by a prefix glob when its own literal prefix extends that prefix.
    if (outer.endsWith("*") && outer.indexOf('*') == outer.length() - 1) {
      String prefix = outer.substring(0, outer.length() - 1);
      String innerLiteral = inner.substring(0, inner.indexOf('*'));
      return innerLiteral.startsWith(prefix);
    }
    return false;
  }

  private static boolean glob(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        if (pi == p.length() - 1) {
          return true;
        }
        for (int k = si; k <= s.length(); k++) {
          if (glob(p, pi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length() || s.charAt(si) != c) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }
}
