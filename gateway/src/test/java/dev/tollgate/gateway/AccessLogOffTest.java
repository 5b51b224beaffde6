package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.gateway.http.AccessLog;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Without {@code TOLLGATE_ACCESS_LOG} the gateway writes no access-log line, whatever it serves or refuses. */
class AccessLogOffTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  @Test
  void offByDefaultWritesNothing() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    logger.addAppender(lines);
    try {
      Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
      String key = seed.key("quiet");
      HttpResponse<String> served = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(HARNESS.gateway().post("/v1/chat/completions", null, TestGateway.chat(Seed.MODEL, 50, false)).statusCode()).isEqualTo(401);
      assertThat(HARNESS.gateway().get("/v1/models", key).statusCode()).isEqualTo(200);
      // settle runs after the answer: once its record is there, every end hook of these requests has run
      UsageRecords.atLeast(HARNESS.redis(), seed.tenant, 1);
      String id = served.headers().firstValue("x-request-id").orElseThrow();
      synchronized (lines.list) {
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(id));
        assertThat(lines.list).isEmpty();
      }
    } finally {
      logger.detachAppender(lines);
    }
  }
}
