package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json: wrong values fail at install time, and the message names the field at fault. */
class ValuesSchemaTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      broken-replicas.yaml       | at '/gateway/replicas': got string, want integer
      broken-redis-mode.yaml     | at '/redis/external/mode': value must be one of 'standalone', 'sentinel', 'cluster'
      broken-unknown-key.yaml    | at '/redis': additional properties 'mode' not allowed
      broken-top-level-typo.yaml | additional properties 'gatway' not allowed
      broken-watch-namespace.yaml | at '/operator/watchNamespaces/0'
      broken-resync.yaml         | at '/operator/resyncInterval'
      broken-service-type.yaml   | at '/gateway/service/type': value must be one of 'ClusterIP', 'NodePort', 'LoadBalancer'
      broken-access-log.yaml     | at '/gateway/accessLog': got boolean, want string
      """)
  void rejectsWithAMessageNamingTheField(String valuesFile, String expected) {
    String error = Chart.templateError(valuesFile);
    assertThat(error).contains("values don't meet the specifications of the schema").contains(expected.strip());
  }
}
