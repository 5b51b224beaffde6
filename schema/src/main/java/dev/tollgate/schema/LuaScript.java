package dev.tollgate.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script from {@code schema/src/main/resources/lua/} with its SHA-1 (the EVALSHA handle); the
 * gateway and the operator load them the same way.
 */
public record LuaScript(String name, String source, String sha1) {

  /** Loads {@code /lua/<name>} from the classpath (the schema jar). */
  public static LuaScript load(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name)) {
      if (in == null) {
        throw new IllegalStateException("Lua script /lua/" + name + " missing from the classpath");
      }
      String src = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new LuaScript(name, src, sha1(src));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read Lua script " + name, e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
