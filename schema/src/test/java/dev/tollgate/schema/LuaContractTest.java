package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gateway's scripts write the counter fields the operator reads back for status, under the
 * names {@link CounterFields} gives them. A rename on one side only would silently zero the
 * operator's live spend and month totals; this pins both sides to one list.
 */
class LuaContractTest {

  private static String script(String name) throws IOException {
    try (InputStream in = LuaContractTest.class.getResourceAsStream("/lua/" + name)) {
      assertThat(in).as("lua/%s on the classpath", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void settleWritesEveryTotalsFieldAndSpent() throws IOException {
    String settle = script("settle.lua");
    for (String field : CounterFields.TOTALS) {
      assertThat(settle).as("settle.lua writes totals field %s", field).contains("'" + field + "'");
    }
    assertThat(settle).contains("'" + CounterFields.SPENT + "'").contains("'" + CounterFields.RESERVED + "'");
  }

  @Test
  void admitReservesUnderTheReservedField() throws IOException {
    String admit = script("admit.lua");
    assertThat(admit).contains("'" + CounterFields.RESERVED + "'").contains("'" + CounterFields.SPENT + "'");
  }

  @Test
  void everyScriptDocumentsItsKeysAndArguments() throws IOException {
    for (String name : new String[] {"admit.lua", "settle.lua"}) {
      String s = script(name);
      assertThat(s).as(name).contains("KEYS[1]").contains("ARGV[1]");
    }
  }
}
