package dev.tollgate.operator.usage;

import dev.tollgate.operator.redis.RedisClients;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.schema.TenantId;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code java -jar tollgate-operator.jar usage-export ...}: usage records to CSV or JSON Lines, per
 * month (checked against the month totals) or incrementally from a checkpoint file. Redis settings
 * come from the same {@code TOLLGATE_REDIS_*} variables as the operator's. The output file and the
 * checkpoint are replaced only once everything was written, so a failed run changes neither.
 * Exit codes: 0 done; 1 Redis or file error; 2 bad arguments or settings; 3 records missing: a month's
 * records do not add up to its totals (records of that month may still be arriving, or some were
 * trimmed), or records were trimmed after the checkpoint before an incremental export read them.
 */
public final class UsageExportCommand {

  static final String USAGE = String.join("\n",
      "usage: usage-export --tenant <namespace>/<name> [--tenant ...]",
      "         (--month YYYY-MM | --after <stream id> | --checkpoint <file>)",
      "         [--format csv|jsonl] [--out <file> | --out-dir <dir>]",
      "  --month       requests that started in that month (UTC), checked against the month totals",
      "  --after       records appended after that stream id (exclusive)",
      "  --checkpoint  incremental: continue after the ids stored in <file> (per tenant), then store the new ones",
      "  --format      csv (default, with a header) or jsonl",
      "  --out         write to <file> (replaced when complete) instead of standard output",
      "  --out-dir     write to <dir>/usage-<UTC time>.<csv|jsonl> (a scheduled job's output, one file a run)",
      "Redis: TOLLGATE_REDIS_URL, TOLLGATE_REDIS_MODE, TOLLGATE_REDIS_MASTER_NAME, TOLLGATE_REDIS_USERNAME,",
      "TOLLGATE_REDIS_PASSWORD, as for the operator.");

  /**
   * Parsed arguments. Exactly one of month, after, checkpoint is set. {@code out} is the file to write,
   * or with {@code outDir} the folder that gets a new file, named when the run's output is complete.
   */
  record Options(List<TenantId> tenants, YearMonth month, String after, Path checkpoint, UsageExport.Format format, Path out,
      boolean outDir) {

    static Options parse(String[] args) {
      List<TenantId> tenants = new ArrayList<>();
      YearMonth month = null;
      String after = null;
      Path checkpoint = null;
      UsageExport.Format format = UsageExport.Format.CSV;
      Path out = null;
      Path outDir = null;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--tenant" -> {
            TenantId t = TenantId.parse(value);
            if (tenants.contains(t)) {
              // its records would be written twice into one file, each row invoiced twice
              throw new IllegalArgumentException("--tenant " + t.id() + " given twice");
            }
            tenants.add(t);
          }
          case "--month" -> {
            try {
              month = YearMonth.parse(value);
            } catch (DateTimeParseException e) {
              throw new IllegalArgumentException("--month must be YYYY-MM, got '" + value + "'");
            }
          }
          case "--after" -> {
            if (!value.matches("[0-9]+-[0-9]+")) {
              throw new IllegalArgumentException("--after must be a stream id like 1700000000000-0, got '" + value + "'");
            }
            after = value;
          }
          case "--checkpoint" -> checkpoint = Path.of(value);
          case "--format" -> {
            try {
              format = UsageExport.Format.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--format must be csv or jsonl, got '" + value + "'");
            }
          }
          case "--out" -> {
            if (out != null) {
              throw new IllegalArgumentException("give one of --out, --out-dir");
            }
            out = Path.of(value);
          }
          case "--out-dir" -> {
            if (out != null) {
              throw new IllegalArgumentException("give one of --out, --out-dir");
            }
            outDir = Path.of(value);
            out = outDir; // resolved to a file name below, once the format is known
          }
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (tenants.isEmpty()) {
        throw new IllegalArgumentException("--tenant is required");
      }
      int ranges = (month != null ? 1 : 0) + (after != null ? 1 : 0) + (checkpoint != null ? 1 : 0);
      if (ranges != 1) {
        throw new IllegalArgumentException("give exactly one of --month, --after, --checkpoint");
      }
      if (after != null && tenants.size() > 1) {
        throw new IllegalArgumentException("--after applies to one tenant; use --checkpoint for several");
      }
      return new Options(List.copyOf(tenants), month, after, checkpoint, format, out, outDir != null);
    }
  }

  /**
   * Checkpoint entry suffix for a tenant's record count up to its stored id ({@code #}: never in a
   * tenant id), from which the next run counts records trimmed before it could read them.
   */
  static final String ADDED = "#added";

  private UsageExportCommand() {}

  private static long number(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Runs the command; returns the exit code. {@code stdout} receives the records unless --out is given. */
  public static int run(String[] args, Map<String, String> env, PrintStream stdout, PrintStream stderr) {
    Options options;
    RedisSettings settings;
    try {
      options = Options.parse(args);
      settings = RedisSettings.fromEnv(env);
    } catch (IllegalArgumentException e) {
      stderr.println("usage-export: " + e.getMessage());
      stderr.println(USAGE);
      return 2;
    }
    try (UnifiedJedis redis = RedisClients.create(settings)) {
      return export(options, redis, stdout, stderr);
    } catch (IllegalArgumentException e) {
      stderr.println("usage-export: " + e.getMessage());
      return 2;
    } catch (JedisException e) {
      stderr.println("usage-export: Redis at " + settings + ": " + RedisClients.rootMessage(e));
      return 1;
    } catch (IOException e) {
      stderr.println("usage-export: " + e.getMessage());
      return 1;
    }
  }

  static int export(Options o, UnifiedJedis redis, PrintStream stdout, PrintStream stderr) throws IOException {
    for (TenantId t : o.tenants()) {
      // a misspelt tenant would export as zero records, "matching" its (absent) month totals; a tenant
      // that exists has the operator's record, and a deleted one whose usage is still kept its stream
      if (!redis.exists(RedisKeys.tenant(t)) && !redis.exists(RedisKeys.usage(t))) {
        throw new IllegalArgumentException(t.id() + ": no tenant record and no usage records in Redis (misspelt?)");
      }
    }
    Properties checkpoints = o.checkpoint() == null ? null : readCheckpoints(o.checkpoint());
    Path temp = o.out() == null ? null
        : Files.createTempFile(o.outDir() ? o.out() : o.out().toAbsolutePath().getParent(), ".usage-export", ".tmp");
    Path checkpointTemp = null;
    Map<TenantId, String> previous = new java.util.HashMap<>();
    if (checkpoints != null) {
      o.tenants().forEach(t -> previous.put(t, checkpoints.getProperty(t.id(), "the start")));
    }
    boolean mismatch = false;
    try {
      Writer w = temp == null
          ? new OutputStreamWriter(stdout, StandardCharsets.UTF_8)
          : Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
      List<UsageExport.Summary> summaries = new ArrayList<>();
      try {
        UsageExport export = new UsageExport(redis, o.format(), w);
        export.header();
        for (TenantId t : o.tenants()) {
          UsageExport.Summary s;
          if (o.month() != null) {
            s = export.month(t, o.month());
          } else {
            String after = o.after() != null ? o.after() : checkpoints.getProperty(t.id());
            s = export.after(t, after, o.after() != null ? -1 : number(checkpoints.getProperty(t.id() + ADDED)));
          }
          summaries.add(s);
        }
        export.flush();
        // a PrintStream keeps its write errors to itself (a full disk behind `> file`, a pipe whose
        // reader died): without this, the checkpoint would move past records nobody received
        if (temp == null && stdout.checkError()) {
          throw new IOException("standard output could not be written (disk full or pipe closed?); checkpoint not moved");
        }
      } finally {
        if (temp != null) {
          w.close();
        }
      }
      // the new checkpoint is written beside its file before the output is put in place, and then only
      // renamed: a checkpoint that cannot be stored (a full or read-only volume) leaves no output
      // behind, whose records the next run would export again (invoiced twice)
      if (checkpoints != null) {
        for (UsageExport.Summary s : summaries) {
          if (s.lastId() != null) {
            checkpoints.setProperty(s.tenant().id(), s.lastId());
          }
          if (s.added() >= 0) {
            checkpoints.setProperty(s.tenant().id() + ADDED, Long.toString(s.added()));
          }
        }
        checkpointTemp = prepareCheckpoints(o.checkpoint(), checkpoints);
      }
      if (temp != null) {
        if (o.outDir()) {
          moveToNewFile(temp, o.out(), o.format());
        } else {
          move(temp, o.out());
        }
        temp = null;
      }
      if (checkpointTemp != null) {
        move(checkpointTemp, o.checkpoint());
        checkpointTemp = null;
      }
      for (UsageExport.Summary s : summaries) {
        StringBuilder line = new StringBuilder("usage-export: ").append(s.tenant().id()).append(": ")
            .append(s.records()).append(" records, cost ").append(Money.format(s.costMicros()))
            .append(", billed ").append(Money.format(s.billedMicros()));
        if (o.month() != null) {
          UsageExport.Check c = UsageExport.check(redis, s, o.month());
          line.append(c.matches() ? " (matches the month totals)"
              : " (MONTH TOTALS DIFFER: " + c.requests() + " requests, cost " + Money.format(c.costMicros())
                  + ", billed " + Money.format(c.billedMicros())
                  + "; records of the month may still be arriving, or some were trimmed)");
          mismatch |= !c.matches();
        }
        if (s.lost() > 0) {
          // the checkpoint moves on all the same: those records are gone, and the next run reports new losses only
          line.append(" (RECORDS TRIMMED BEFORE THEY WERE EXPORTED: ").append(s.lost()).append(" records after ")
              .append(o.after() != null ? o.after() : previous.get(s.tenant()))
              .append(" are gone; TOLLGATE_USAGE_STREAM_MAX_LEN too small for the export's schedule, or a trim past the checkpoint)");
          mismatch = true;
        }
        stderr.println(line);
      }
      return mismatch ? 3 : 0;
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
      if (checkpointTemp != null) {
        Files.deleteIfExists(checkpointTemp);
      }
    }
  }

  private static Properties readCheckpoints(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    return p;
  }

  /** Writes the checkpoint file's new text to a temporary file beside it, for {@link #move}. */
  private static Path prepareCheckpoints(Path file, Properties p) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, ".usage-checkpoint", ".tmp");
    StringBuilder text = new StringBuilder("# usage-export: last exported stream id per tenant\n");
    // sorted, one line per tenant: a diffable file, whatever the order of --tenant
    new TreeMap<>(p).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return temp;
  }

  /**
   * Moves a run's output into {@code dir} as {@code usage-<UTC time>.<ext>}, never over an existing
   * file: a run finishing in the same second as the previous one (a loop of runs, one per tenant)
   * would replace records that are past their checkpoint and nowhere else. On a clash it waits for the
   * next second, so names stay unique and in run order.
   */
  private static void moveToNewFile(Path from, Path dir, UsageExport.Format format) throws IOException {
    DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    String ext = "." + format.name().toLowerCase(Locale.ROOT);
    for (int attempt = 0; ; attempt++) {
      Instant now = Instant.now();
      Path to = dir.resolve("usage-" + stamp.format(now) + ext);
      try {
        Files.move(from, to); // without REPLACE_EXISTING: refuses an existing file (a rename, same folder)
        return;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw new IOException(to + " exists; not replaced (the checkpoint is kept: run again)");
        }
        try {
          Thread.sleep(1_000 - now.toEpochMilli() % 1_000 + 1);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while naming " + to, ie);
        }
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
