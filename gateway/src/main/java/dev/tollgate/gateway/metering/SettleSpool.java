package dev.tollgate.gateway.metering;

import dev.tollgate.schema.ConfigCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settlements a stopping gateway could not get into Redis (an outage outlasting its stop), kept as
 * JSON Lines files in a folder and replayed at the next start of any replica sharing it (ADR 0045).
 * Replaying is safe any number of times and from any replica: {@code settle.lua} charges and records
 * a request once, whoever sends it, and a replay is always flagged as a retry. Blocking file I/O:
 * called off the event loop.
 */
final class SettleSpool {

  private static final Logger LOG = LoggerFactory.getLogger(SettleSpool.class);
  private static final String SUFFIX = ".settle.jsonl";
  /**
   * A file being written; one left behind for over a minute is a writer that died after (or while)
   * writing it, so it is claimed like a spool file: its complete lines are settlements to replay.
   */
  private static final String TMP = ".tmp";
  /** A claimed file: {@code <name>.settle.jsonl.replaying-<claim>}. */
  private static final String CLAIMED = SUFFIX + ".replaying-";
  /** A claim older than this is taken for abandoned. */
  private static final long STALE_CLAIM_MS = 60_000;

  /** A spool file claimed for replay, and the settlements it holds. */
  record Claimed(Path file, List<Settlement> settlements) {}

  private final Path dir;

  SettleSpool(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Writes {@code settlements} to a new file, durably, under its final name only once complete. */
  Path write(List<Settlement> settlements) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (Settlement s : settlements) {
      lines.append(ConfigCodec.toJson(s)).append('\n');
    }
    String name = "settle-" + System.currentTimeMillis() + "-" + UUID.randomUUID();
    Path tmp = dir.resolve(name + TMP);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(true);
    }
    Path file = dir.resolve(name + SUFFIX);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    syncDir();
    return file;
  }

  /**
   * Makes the rename itself durable: until the folder's entry is on disk, a power loss can leave the
   * fsynced content with no name (Linux; where a folder cannot be opened for sync, the rename is
   * left to the file system's own journal).
   */
  private void syncDir() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("settle spool folder {} cannot be synced: {}", dir, e.getMessage());
    }
  }

  /**
   * Claims every spool file, by renaming it (and marking the claim's time), and reads it. A file
   * another replica or event loop claimed over a minute ago and never finished (it stopped or died
   * replaying it) is claimed again: a second replay is harmless, only wasted work. So is a file whose
   * writer died before naming it (a torn last line is skipped, logged).
   */
  List<Claimed> claim() throws IOException {
    List<Path> found = new ArrayList<>();
    long staleBefore = System.currentTimeMillis() - STALE_CLAIM_MS;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        boolean stale = (n.contains(CLAIMED) || n.endsWith(TMP)) && Files.getLastModifiedTime(f).toMillis() < staleBefore;
        if (n.endsWith(SUFFIX) || stale) {
          found.add(f);
        }
      }
    }
    List<Claimed> claimed = new ArrayList<>();
    for (Path f : found) {
      String n = f.getFileName().toString();
      String base = n.contains(CLAIMED) ? n.substring(0, n.indexOf(CLAIMED) + SUFFIX.length())
          : n.endsWith(TMP) ? n.substring(0, n.length() - TMP.length()) + SUFFIX : n;
      Path mine = dir.resolve(base + CLAIMED.substring(SUFFIX.length()) + UUID.randomUUID());
      try {
        Files.move(f, mine, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        continue; // another replica (or event loop) claimed it first
      }
      Files.setLastModifiedTime(mine, FileTime.fromMillis(System.currentTimeMillis()));
      List<Settlement> settlements = new ArrayList<>();
      int line = 0;
      for (String json : Files.readAllLines(mine, StandardCharsets.UTF_8)) {
        line++;
        if (json.isBlank()) {
          continue;
        }
        try {
          settlements.add(ConfigCodec.fromJson(json, Settlement.class));
        } catch (IllegalArgumentException e) {
          LOG.error("settle spool {} line {} is not a settlement, skipped: {}", mine, line, e.getMessage());
        }
      }
      claimed.add(new Claimed(mine, settlements));
    }
    return claimed;
  }

  /** A claimed file whose settlements have all landed (or been given up, each logged). */
  void done(Path claimedFile) throws IOException {
    Files.deleteIfExists(claimedFile);
  }
}
