package dev.tollgate.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.UsageFields;
import dev.tollgate.testkit.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.StreamEntryID;

/**
 * The usage export against a real Redis holding usage records as the gateway writes them (field order
 * from {@link UsageFields}), run as the command a billing job would run.
 */
class UsageExportTest {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  @TempDir
  Path dir;

  static final TenantId ACME = new TenantId("agency", "acme");
  static final String STREAM = RedisKeys.usage(ACME);
  static final String NOV_TOTALS = RedisKeys.totals(ACME, "M202611");

  final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @BeforeEach
  void clean() {
    REDIS.flushAll();
  }

  @Test
  void aMonthExportHasTheRequestsThatStartedInItAndMatchesItsTotals() throws IOException {
    // started in October, settled just after midnight: October's, not November's
    add("2026-11-01T00:00:00.100Z", "req_oct", "2026-10-31T23:59:59.900Z", "gpt-4o-mini", 1_000, 1_500, true);
    add("2026-11-05T10:00:00Z", "req_a", "2026-11-05T10:00:00Z", "gpt-4o-mini", 1_200, 1_800, true);
    // a client-chosen model name a spreadsheet would run as a formula, with a comma: quoted and defused
    add("2026-11-06T10:00:00Z", "req_b", "2026-11-06T09:59:59Z", "=cmd,x", 300, 450, true);
    // written by a gateway from before the cache fields: empty cells, not shifted columns
    add("2026-11-07T10:00:00Z", "req_c", "2026-11-07T10:00:00Z", "gpt-4o", 2_000_000, 2_500_000, false);
    // started on the last second of November, settled in December: November's
    add("2026-12-01T00:00:01Z", "req_last", "2026-11-30T23:59:59Z", "gpt-4o-mini", 10, 15, true);
    totals(NOV_TOTALS, 4, 1_200 + 300 + 2_000_000 + 10, 1_800 + 450 + 2_500_000 + 15);
    Path out = dir.resolve("acme-2026-11.csv");

    int code = run("--tenant", "agency/acme", "--month", "2026-11", "--out", out.toString());

    assertThat(code).as(err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(5);
    List<String> header = List.of(lines.get(0).split(","));
    assertThat(header.subList(1, 1 + UsageFields.ALL.size())).isEqualTo(UsageFields.ALL);
    assertThat(header.get(0)).isEqualTo("id");
    assertThat(header.subList(header.size() - 2, header.size())).containsExactly("cost", "billed");
    assertThat(lines.subList(1, 5)).extracting(l -> l.split(",")[1])
        .containsExactly("req_a", "req_b", "req_c", "req_last");
    assertThat(lines.get(1)).startsWith(id("2026-11-05T10:00:00Z") + ",req_a,").endsWith(",0.0012,0.0018");
    assertThat(lines.get(2)).contains(",\"'=cmd,x\",");
    assertThat(header.subList(header.size() - 18, header.size() - 2))
        .as("the 1-hour cache-write, web search, images, then the audio columns, last")
        .containsExactly("tokensInCacheWriteLong", "cacheWriteLongPriceMicrosPerMillion", "webSearchCalls",
            "webSearchPriceMicrosPerThousand", "images", "imageSize", "imageQuality", "imagePriceMicros", "tokensInImage",
            "imageInputPriceMicrosPerMillion", "audioCharacters", "audioSeconds", "tokensInAudio",
            "audioCharacterPriceMicrosPerMillion", "audioMinutePriceMicros", "audioInputPriceMicrosPerMillion");
    // status, empty errorCode, twenty missing fields (four cache ones, the two 1-hour ones, the two web
    // search ones, the six images ones, the six audio ones), the amounts
    assertThat(lines.get(3)).endsWith(",0,,,,,,,,,,,,,,,,,,,,,,2.00,2.50");
    assertThat(err()).contains("agency/acme: 4 records, cost 2.00151, billed 2.502265 (matches the month totals)");
  }

  @Test
  void aRequestOfTheMonthSettledDaysLaterAfterARedisOutageIsInItsMonthsExport() throws IOException {
    add("2026-11-05T10:00:00Z", "req_a", "2026-11-05T10:00:00Z", "gpt-4o-mini", 1_200, 1_800, true);
    // answered on November 30 while Redis was down; the gateway retried (or replayed its spool) and the
    // settlement landed three days later, within the week it is kept for (ADR 0045): November's
    add("2026-12-03T08:00:00Z", "req_outage", "2026-11-30T22:00:00Z", "gpt-4o", 5_000, 7_500, true);
    // and a December request settled at once: not November's
    add("2026-12-03T08:00:01Z", "req_dec", "2026-12-03T08:00:00Z", "gpt-4o", 9, 9, true);
    totals(NOV_TOTALS, 2, 6_200, 9_300);
    Path out = dir.resolve("acme-2026-11.csv");

    int code = run("--tenant", "agency/acme", "--month", "2026-11", "--out", out.toString());

    assertThat(code).as(err()).isZero();
    assertThat(Files.readAllLines(out).subList(1, 3)).extracting(l -> l.split(",")[1])
        .containsExactly("req_a", "req_outage");
    assertThat(err()).contains("2 records, cost 0.0062, billed 0.0093 (matches the month totals)");
  }

  @Test
  void aTenantRedisKnowsNothingOfIsRefusedRatherThanExportedAsZero() throws IOException {
    add("2026-11-05T10:00:00Z", "req_a", "2026-11-05T10:00:00Z", "gpt-4o-mini", 1_200, 1_800, true);
    totals(NOV_TOTALS, 1, 1_200, 1_800);
    // an idle tenant has its record (the operator's projection) and no stream: exported as zero, rightly
    REDIS.client().set(RedisKeys.tenant(new TenantId("agency", "idle")), "{}");
    Path out = dir.resolve("acme-2026-11.csv");

    // a misspelt tenant: no record, no stream, no totals; "0 records (matches the month totals)" invoiced zero
    int code = run("--tenant", "agency/acme", "--tenant", "agency/acmee", "--month", "2026-11", "--out", out.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("agency/acmee: no tenant record and no usage records in Redis");
    assertThat(out).doesNotExist();
    assertThat(run("--tenant", "agency/acme", "--tenant", "agency/idle", "--month", "2026-11", "--out", out.toString()))
        .as(err()).isZero();
    assertThat(err()).contains("agency/idle: 0 records, cost 0.00, billed 0.00 (matches the month totals)");
  }

  @Test
  void aModelNameStartingWithATabOrCarriageReturnIsDefusedLikeAFormula() throws IOException {
    // OWASP's CSV-injection list: spreadsheets skip a leading tab or carriage return and run the formula
    add("2026-11-05T10:00:00Z", "req_tab", "2026-11-05T10:00:00Z", "\t=HYPERLINK(\"http://x\")", 1, 1, true);
    add("2026-11-05T10:00:01Z", "req_cr", "2026-11-05T10:00:01Z", "\r@SUM(1+1)", 1, 1, true);
    Path out = dir.resolve("acme.csv");

    assertThat(run("--tenant", "agency/acme", "--after", "0-0", "--out", out.toString())).as(err()).isZero();

    String csv = Files.readString(out);
    assertThat(csv).contains(",\"'\t=HYPERLINK(\"\"http://x\"\")\",").contains(",\"'\r@SUM(1+1)\",");
  }

  @Test
  void aMonthWhoseRecordsDoNotAddUpToItsTotalsIsExportedButFailsWithCode3() throws IOException {
    add("2026-11-05T10:00:00Z", "req_a", "2026-11-05T10:00:00Z", "gpt-4o-mini", 1_200, 1_800, true);
    totals(NOV_TOTALS, 2, 2_400, 3_600); // one record trimmed, or still arriving
    Path out = dir.resolve("acme.csv");

    int code = run("--tenant", "agency/acme", "--month", "2026-11", "--out", out.toString());

    assertThat(code).isEqualTo(3);
    assertThat(Files.readAllLines(out)).hasSize(2);
    assertThat(err()).contains("1 records").contains("MONTH TOTALS DIFFER: 2 requests, cost 0.0024, billed 0.0036");
  }

  @Test
  void checkpointedExportsContinueWhereTheLastEndedAndAFailedRunLeavesTheCheckpoint() throws IOException {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    add("2026-11-05T10:00:01Z", "req_2", "2026-11-05T10:00:01Z", "gpt-4o-mini", 100, 150, true);
    Path checkpoint = dir.resolve("usage.checkpoint");
    Path first = dir.resolve("first.jsonl");

    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", first.toString())).as(err()).isZero();
    assertThat(requestIds(first)).containsExactly("req_1", "req_2");
    assertThat(Files.readString(checkpoint)).contains("agency/acme=" + id("2026-11-05T10:00:01Z"));

    add("2026-11-05T10:00:02Z", "req_3", "2026-11-05T10:00:02Z", "gpt-4o-mini", 100, 150, true);
    String before = Files.readString(checkpoint);
    Path nowhere = dir.resolve("missing-dir").resolve("second.jsonl");
    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", nowhere.toString())).isEqualTo(1);
    assertThat(Files.readString(checkpoint)).isEqualTo(before);

    Path second = dir.resolve("second.jsonl");
    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", second.toString())).as(err()).isZero();
    assertThat(requestIds(second)).containsExactly("req_3");
    JsonNode row = new ObjectMapper().readTree(Files.readAllLines(second).get(0));
    assertThat(row.get("id").asText()).isEqualTo(id("2026-11-05T10:00:02Z"));
    assertThat(row.get("costMicros").asText()).isEqualTo("100");
    assertThat(row.get("billed").asText()).isEqualTo("0.00015");
  }

  @Test
  void aCheckpointedExportToAStandardOutputThatFailsKeepsTheCheckpoint() throws IOException {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path checkpoint = dir.resolve("usage.checkpoint");
    // `usage-export ... > /full-disk/usage.csv` or a pipe whose reader died: every write fails
    PrintStream broken = new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    });
    stderr.reset();

    int code = UsageExportCommand.run(new String[] {"--tenant", "agency/acme", "--checkpoint", checkpoint.toString()},
        Map.of("TOLLGATE_REDIS_URL", REDIS.url()), broken, new PrintStream(stderr));

    assertThat(code).as(err()).isEqualTo(1);
    assertThat(err()).contains("standard output");
    assertThat(checkpoint).as("the records never reached anyone: the next run must export them").doesNotExist();
  }

  @Test
  void recordsTrimmedBeforeAnIncrementalExportReadThemFailTheRunWithCode3() throws IOException {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path checkpoint = dir.resolve("usage.checkpoint");
    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", dir.resolve("first.jsonl").toString())).as(err()).isZero();
    add("2026-11-05T10:00:01Z", "req_2", "2026-11-05T10:00:01Z", "gpt-4o-mini", 100, 150, true);
    add("2026-11-05T10:00:02Z", "req_3", "2026-11-05T10:00:02Z", "gpt-4o-mini", 100, 150, true);
    // TOLLGATE_USAGE_STREAM_MAX_LEN smaller than a day of traffic, or a trim past the checkpoint
    REDIS.client().xtrim(STREAM, redis.clients.jedis.params.XTrimParams.xTrimParams().maxLen(1));
    Path second = dir.resolve("second.jsonl");

    int code = run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", second.toString());

    assertThat(code).as(err()).isEqualTo(3);
    assertThat(requestIds(second)).containsExactly("req_3");
    assertThat(err()).contains("agency/acme: 1 records").contains("RECORDS TRIMMED BEFORE THEY WERE EXPORTED")
        .contains("1 records after " + id("2026-11-05T10:00:00Z") + " are gone");
    // reported once: the next run, with nothing lost since, succeeds
    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out", dir.resolve("third.jsonl").toString())).as(err()).isZero();
  }

  @Test
  void aCheckpointThatCannotBeStoredLeavesNoOutputBehind() throws IOException {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path exports = Files.createDirectory(dir.resolve("exports"));
    // a checkpoint that cannot be written (here: its folder is a file; in life a full or read-only volume)
    Path checkpoint = Files.writeString(dir.resolve("not-a-folder"), "").resolve("usage.checkpoint");

    assertThat(run("--tenant", "agency/acme", "--checkpoint", checkpoint.toString(), "--format", "jsonl",
        "--out-dir", exports.toString())).isEqualTo(1);

    // the next run exports the same records again: a file left now would have them invoiced twice
    try (var files = Files.list(exports)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void aScheduledRunWritesOneTimestampedFileIntoTheOutputDirectory() throws IOException {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path exports = Files.createDirectory(dir.resolve("exports"));

    assertThat(run("--tenant", "agency/acme", "--checkpoint", dir.resolve("cp").toString(), "--format", "jsonl",
        "--out-dir", exports.toString())).as(err()).isZero();

    try (var files = Files.list(exports)) {
      List<Path> written = files.toList();
      assertThat(written).hasSize(1);
      assertThat(written.get(0).getFileName().toString()).matches("usage-\\d{8}T\\d{6}Z\\.jsonl");
      assertThat(requestIds(written.get(0))).containsExactly("req_1");
    }
  }

  @Test
  void aRunInTheSameSecondAsTheLastNeverReplacesItsFile() throws IOException {
    add("2026-11-05T10:00:00Z", "req_2", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path exports = Files.createDirectory(dir.resolve("exports"));
    // the files of runs just before, in the seconds this one may stamp (a loop of one run per tenant
    // finishes several in a second): their records are past their checkpoints, nowhere else
    java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(java.time.ZoneOffset.UTC);
    Instant now = Instant.now();
    List<Path> earlier = new java.util.ArrayList<>();
    for (int s = 0; s < 2; s++) {
      earlier.add(Files.writeString(exports.resolve("usage-" + stamp.format(now.plusSeconds(s)) + ".jsonl"),
          "{\"requestId\":\"req_1\"}\n"));
    }

    assertThat(run("--tenant", "agency/acme", "--checkpoint", dir.resolve("cp").toString(), "--format", "jsonl",
        "--out-dir", exports.toString())).as(err()).isZero();

    for (Path p : earlier) {
      assertThat(requestIds(p)).as(p.toString()).containsExactly("req_1");
    }
    try (var files = Files.list(exports)) {
      List<Path> added = files.filter(p -> !earlier.contains(p)).toList();
      assertThat(added).hasSize(1);
      assertThat(added.get(0).getFileName().toString()).matches("usage-\\d{8}T\\d{6}Z\\.jsonl");
      assertThat(requestIds(added.get(0))).containsExactly("req_2");
    }
  }

  @Test
  void badArgumentsAreRefusedWithCode2AndTheReason() {
    assertThat(run("--month", "2026-11")).isEqualTo(2);
    assertThat(err()).contains("--tenant is required");
    assertThat(run("--tenant", "agency/acme", "--month", "2026-11", "--after", "1-0")).isEqualTo(2);
    assertThat(err()).contains("exactly one of --month, --after, --checkpoint");
    assertThat(run("--tenant", "agency/acme", "--month", "November")).isEqualTo(2);
    assertThat(err()).contains("--month must be YYYY-MM, got 'November'");
    assertThat(run("--tenant", "acme", "--month", "2026-11")).isEqualTo(2);
    assertThat(err()).contains("tenant id must be <namespace>/<name>");
    assertThat(run("--tenant", "agency/acme", "--month", "2026-11", "--out", "a.csv", "--out-dir", ".")).isEqualTo(2);
    assertThat(err()).contains("give one of --out, --out-dir");
  }

  @Test
  void aTenantGivenTwiceIsRefusedRatherThanExportedTwice() {
    add("2026-11-05T10:00:00Z", "req_1", "2026-11-05T10:00:00Z", "gpt-4o-mini", 100, 150, true);
    Path checkpoint = dir.resolve("usage.checkpoint");

    // a tenant listed twice (usageExport.tenants, a script's loop): each of its rows would be invoiced twice
    int code = run("--tenant", "agency/acme", "--tenant", "agency/globex", "--tenant", "agency/acme",
        "--checkpoint", checkpoint.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--tenant agency/acme given twice");
    assertThat(stdout.toString(StandardCharsets.UTF_8)).doesNotContain("req_1");
    assertThat(checkpoint).doesNotExist();
  }

  @Test
  void anUnreachableRedisFailsWithCode1() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    int code = UsageExportCommand.run(new String[] {"--tenant", "agency/acme", "--month", "2026-11"},
        Map.of("TOLLGATE_REDIS_URL", "redis://127.0.0.1:" + closedPort), new PrintStream(stdout), new PrintStream(stderr));
    assertThat(code).isEqualTo(1);
    assertThat(err()).contains("usage-export: Redis at");
    assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  private int run(String... args) {
    stderr.reset();
    return UsageExportCommand.run(args, Map.of("TOLLGATE_REDIS_URL", REDIS.url()), new PrintStream(stdout), new PrintStream(stderr));
  }

  private String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  private static String id(String appendedAt) {
    return Instant.parse(appendedAt).toEpochMilli() + "-0";
  }

  /** Appends a record at {@code appendedAt} as the gateway would; {@code withCacheFields=false}: an older gateway's. */
  private static void add(String appendedAt, String requestId, String startedAt, String model, long cost, long billed,
      boolean withCacheFields) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String name : UsageFields.ALL) {
      f.put(name, "0");
    }
    f.put(UsageFields.REQUEST_ID, requestId);
    f.put(UsageFields.TS, Long.toString(Instant.parse(startedAt).toEpochMilli()));
    f.put(UsageFields.TENANT, ACME.id());
    f.put(UsageFields.API_KEY, "web");
    f.put("requestedModel", model);
    f.put(UsageFields.COST_MICROS, Long.toString(cost));
    f.put(UsageFields.BILLED_MICROS, Long.toString(billed));
    f.put(UsageFields.CURRENCY, "USD");
    f.put("errorCode", "");
    if (!withCacheFields) {
      UsageFields.ALL.subList(UsageFields.ALL.indexOf("tokensInCached"), UsageFields.ALL.size()).forEach(f::remove);
    }
    REDIS.client().xadd(STREAM, new StreamEntryID(Instant.parse(appendedAt).toEpochMilli(), 0), f);
  }

  private static void totals(String key, long requests, long cost, long billed) {
    REDIS.client().hset(key, Map.of("requests", Long.toString(requests), "costMicros", Long.toString(cost),
        "billedMicros", Long.toString(billed)));
  }

  private static List<String> requestIds(Path jsonl) throws IOException {
    ObjectMapper m = new ObjectMapper();
    return Files.readAllLines(jsonl).stream().map(l -> {
      try {
        return m.readTree(l).get("requestId").asText();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }
}
