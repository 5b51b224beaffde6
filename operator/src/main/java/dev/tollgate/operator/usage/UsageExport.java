package dev.tollgate.operator.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.UsageFields;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamInfo;

/**
 * Reads a tenant's usage records (one per settled request, {@link RedisKeys#usage}) page by page and
 * writes them as CSV or JSON Lines: the input of an invoice. Read-only: it never trims a stream (trim
 * by id after the export is stored, docs/operations.md). Two ranges: everything after a stream id
 * (incremental exports: ids are append times, so a re-run from the same id gives the same rows), or
 * the requests that started in one month (UTC), which is how the month totals count them, so that a
 * month's export can be checked against its totals.
 */
public final class UsageExport {

  /** Output formats; both carry the stream id, every record field as stored, and two decimal amounts. */
  public enum Format {
    CSV,
    JSONL
  }

  /**
   * Records start no earlier than this before their entry is appended: a settlement retried through a
   * Redis outage, or replayed from a stopped gateway's spool, still lands up to the reservation's lease
   * plus 7 days after its request (the tombstone's retention, ADR 0045: SpendLedger.TOMBSTONE_RETENTION,
   * admit.lua's TOMBSTONE_MS); a day more covers a long lease and clock skew between gateway and Redis.
   */
  static final Duration APPEND_LAG = Duration.ofDays(8);
  private static final int PAGE = 1_000;
  /** Columns after the record's fields: its cost and billed amount as decimals in its currency. */
  private static final List<String> DECIMALS = List.of("cost", "billed");

  private final UnifiedJedis redis;
  private final Format format;
  private final Writer out;
  private final JsonGenerator json;

  public UsageExport(UnifiedJedis redis, Format format, Writer out) throws IOException {
    this.redis = redis;
    this.format = format;
    this.out = out;
    this.json = format == Format.JSONL ? new JsonFactory().createGenerator(out).setRootValueSeparator(null) : null;
  }

  /**
   * What one tenant's export wrote. {@code lastId} is where the next incremental export continues (the
   * last stream id read, or the stream's last generated id; null if none); for an incremental export,
   * {@code added} is how many records the stream was ever given up to it (Redis 7's
   * {@code entries-added}; -1 unknown), and {@code lost} how many after its starting id were deleted
   * (a trim, XDEL) before it read them: records missing from every export.
   */
  public record Summary(TenantId tenant, long records, long costMicros, long billedMicros, String lastId, long added,
      long lost) {}

  /** The month totals the gateway keeps beside the records, and whether an export of the month matches them. */
  public record Check(long requests, long costMicros, long billedMicros, boolean matches) {}

  /** Writes the CSV header (no-op for JSON Lines); once, before the first tenant. */
  public void header() throws IOException {
    if (format == Format.CSV) {
      StringBuilder line = new StringBuilder("id");
      for (String f : UsageFields.ALL) {
        line.append(',').append(f);
      }
      for (String f : DECIMALS) {
        line.append(',').append(f);
      }
      out.write(line.append('\n').toString());
    }
  }

  /** Every record appended after {@code afterId} (exclusive; null = from the start). */
  public Summary after(TenantId tenant, String afterId) throws IOException {
    return after(tenant, afterId, -1);
  }

  /**
   * Every record appended after {@code afterId}, and, given how many records the stream had been
   * given up to it ({@code addedBefore}, from the previous run's {@link Summary#added}; -1 unknown), how
   * many of those records were deleted before this read them. Reads up to the stream's last generated
   * id as of its start, whose count Redis keeps (entries-added), so the next run can tell in turn.
   */
  public Summary after(TenantId tenant, String afterId, long addedBefore) throws IOException {
    String key = RedisKeys.usage(tenant);
    String from = afterId == null ? "-" : "(" + afterId;
    long added = -1;
    String lastGenerated = null;
    if (redis.exists(key)) {
      Map<String, Object> info = redis.xinfoStream(key).getStreamInfo();
      Object a = info.get("entries-added"); // Redis 7 and later
      Object l = info.get(StreamInfo.LAST_GENERATED_ID);
      if (a instanceof Long n && l != null) {
        added = n;
        lastGenerated = l.toString();
      }
    }
    if (added < 0) {
      Summary s = scan(tenant, from, "+", null);
      return new Summary(tenant, s.records(), s.costMicros(), s.billedMicros(), s.lastId(), -1, 0);
    }
    boolean beyond = afterId == null || new StreamEntryID(lastGenerated).compareTo(new StreamEntryID(afterId)) > 0;
    if (!beyond) {
      return new Summary(tenant, 0, 0, 0, null, added, 0);
    }
    Summary s = scan(tenant, from, lastGenerated, null);
    // a stream deleted and created again (Redis flushed) counts from 0: nothing to compare with
    long lost = addedBefore >= 0 && added >= addedBefore ? Math.max(0, added - addedBefore - s.records()) : 0;
    return new Summary(tenant, s.records(), s.costMicros(), s.billedMicros(), lastGenerated, added, lost);
  }

  /** The records of requests that started in {@code month} (UTC). */
  public Summary month(TenantId tenant, YearMonth month) throws IOException {
    Instant start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant end = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    String from = Long.toString(start.minus(APPEND_LAG).toEpochMilli());
    String to = Long.toString(end.plus(APPEND_LAG).toEpochMilli());
    return scan(tenant, from, to, new long[] {start.toEpochMilli(), end.toEpochMilli()});
  }

  /** Compares a month's export with the month totals hash the gateway keeps. */
  public static Check check(UnifiedJedis redis, Summary exported, YearMonth month) {
    Instant start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Map<String, String> totals = redis.hgetAll(RedisKeys.totals(exported.tenant(), Period.Month.key(start)));
    long requests = number(totals.get(CounterFields.REQUESTS));
    long cost = number(totals.get(CounterFields.COST_MICROS));
    long billed = number(totals.get(CounterFields.BILLED_MICROS));
    return new Check(requests, cost, billed,
        requests == exported.records() && cost == exported.costMicros() && billed == exported.billedMicros());
  }

  /** Flushes what was written (the caller owns {@code out}). */
  public void flush() throws IOException {
    if (json != null) {
      json.flush();
    }
    out.flush();
  }

  private Summary scan(TenantId tenant, String from, String to, long[] startedWithin) throws IOException {
    String key = RedisKeys.usage(tenant);
    long records = 0;
    long cost = 0;
    long billed = 0;
    String last = null;
    String cursor = from;
    while (true) {
      List<StreamEntry> page = redis.xrange(key, cursor, to, PAGE);
      for (StreamEntry e : page) {
        last = e.getID().toString();
        Map<String, String> f = e.getFields();
        if (startedWithin != null) {
          long ts = number(f.get(UsageFields.TS));
          if (ts < startedWithin[0] || ts >= startedWithin[1]) {
            continue;
          }
        }
        long c = number(f.get(UsageFields.COST_MICROS));
        long b = number(f.get(UsageFields.BILLED_MICROS));
        write(last, f, c, b);
        records++;
        cost = Math.addExact(cost, c);
        billed = Math.addExact(billed, b);
      }
      if (page.size() < PAGE) {
        return new Summary(tenant, records, cost, billed, last, -1, 0);
      }
      cursor = "(" + last;
    }
  }

  private void write(String id, Map<String, String> fields, long cost, long billed) throws IOException {
    if (format == Format.CSV) {
      StringBuilder line = new StringBuilder(id);
      for (String f : UsageFields.ALL) {
        line.append(',');
        csv(line, fields.getOrDefault(f, ""));
      }
      line.append(',').append(Money.format(cost)).append(',').append(Money.format(billed)).append('\n');
      out.write(line.toString());
    } else {
      json.writeStartObject();
      json.writeStringField("id", id);
      for (String f : UsageFields.ALL) {
        if (fields.containsKey(f)) {
          json.writeStringField(f, fields.get(f));
        }
      }
      // fields a newer gateway wrote that this reader does not know yet: kept, not dropped
      for (Map.Entry<String, String> e : fields.entrySet()) {
        if (!UsageFields.ALL.contains(e.getKey())) {
          json.writeStringField(e.getKey(), e.getValue());
        }
      }
      json.writeStringField(DECIMALS.get(0), Money.format(cost));
      json.writeStringField(DECIMALS.get(1), Money.format(billed));
      json.writeEndObject();
      json.writeRaw('\n');
    }
  }

  /**
   * RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. Text a spreadsheet
   * would run as a formula (a client-chosen model name starting with {@code = + - @}, or with a tab or
   * carriage return, which a spreadsheet skips) gets a leading apostrophe (OWASP's CSV-injection
   * advice); numbers are left alone.
   */
  private static void csv(StringBuilder line, String value) {
    if (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 && !value.matches("-?[0-9]+")) {
      value = "'" + value;
    }
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      line.append(value);
    } else {
      line.append('"').append(value.replace("\"", "\"\"")).append('"');
    }
  }

  private static long number(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }
}
