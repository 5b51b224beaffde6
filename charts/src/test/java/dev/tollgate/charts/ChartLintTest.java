package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** `helm lint --strict` on the chart: any warning fails the build. */
class ChartLintTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(Chart.dir()).lint().strict().call();

    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages())
        .as("only informational lint messages are acceptable")
        .allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
  }
}
