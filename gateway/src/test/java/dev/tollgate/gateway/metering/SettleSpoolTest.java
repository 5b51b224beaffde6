package dev.tollgate.gateway.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schema.TenantId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's files: what a stop writes comes back whole, claimed once while a claim is fresh. */
class SettleSpoolTest {

  @TempDir Path dir;

  static Settlement settlement(String id) {
    Admission a = new Admission(new TenantId("agency", "acme"), id, "resv", "resvexp", "usage", "totals", "ktok", "ttok",
        120, 52, List.of("spend:day", "spend:month"), new long[] {86400, 2592000}, 1_700_000_000_000L, 1_699_999_100_000L);
    return new Settlement(a, "web", 40, -80, 10, 30, 33, 40, List.of(id, "1700000000000", "agency/acme"));
  }

  @Test
  void aSpooledFileIsReadBackWholeAndClaimedOnlyOnceWhileTheClaimIsFresh() throws Exception {
    SettleSpool spool = new SettleSpool(dir);
    spool.write(List.of(settlement("req_1"), settlement("req_2")));

    List<SettleSpool.Claimed> first = spool.claim();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).settlements()).extracting(s -> s.admission().reservationId()).containsExactly("req_1", "req_2");
    Settlement back = first.get(0).settlements().get(0);
    assertThat(back.admission().spendTtlSeconds()).containsExactly(86400, 2592000);
    assertThat(back.admission().tenant()).isEqualTo(new TenantId("agency", "acme"));
    assertThat(back.record()).containsExactly("req_1", "1700000000000", "agency/acme");
    assertThat(back.tpmCorrection()).isEqualTo(-80);

    // another event loop or replica starting meanwhile leaves a fresh claim alone
    assertThat(spool.claim()).isEmpty();
    // a claim whose replica died (over a minute old) is taken over
    Files.setLastModifiedTime(first.get(0).file(), FileTime.fromMillis(System.currentTimeMillis() - 120_000));
    List<SettleSpool.Claimed> again = spool.claim();
    assertThat(again).hasSize(1);
    assertThat(again.get(0).settlements()).hasSize(2);

    spool.done(again.get(0).file());
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aDamagedLineIsSkippedAndTheRestReplayed() throws Exception {
    SettleSpool spool = new SettleSpool(dir);
    Path file = spool.write(List.of(settlement("req_1")));
    Files.writeString(file, "{\"admission\": [oops\n" + Files.readString(file));

    List<SettleSpool.Claimed> claimed = spool.claim();
    assertThat(claimed.get(0).settlements()).extracting(s -> s.admission().reservationId()).containsExactly("req_1");
  }

  /** A writer killed before the rename left its settlements under the temporary name: after a minute they are replayed. */
  @Test
  void aFileLeftUnnamedByADeadWriterIsReplayedOnceStale() throws Exception {
    SettleSpool spool = new SettleSpool(dir);
    Path named = spool.write(List.of(settlement("req_1"), settlement("req_2")));
    Path tmp = dir.resolve("settle-1-dead.tmp");
    // torn mid-way through its last line
    String content = Files.readString(named);
    Files.writeString(tmp, content.substring(0, content.length() - 20));
    Files.delete(named);

    assertThat(spool.claim()).as("a fresh .tmp may still be being written").isEmpty();
    Files.setLastModifiedTime(tmp, FileTime.fromMillis(System.currentTimeMillis() - 120_000));
    List<SettleSpool.Claimed> claimed = spool.claim();
    assertThat(claimed).hasSize(1);
    assertThat(claimed.get(0).settlements()).extracting(s -> s.admission().reservationId()).containsExactly("req_1");
    assertThat(spool.claim()).isEmpty();
  }
}
