package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialSealerTest {

  private final CredentialSealer sealer = CredentialSealer.fromBase64(CredentialSealer.newKeyBase64());

  @Test
  void sealedValueOpensOnlyWithTheSameKeyAndPolicy() {
    String sealed = sealer.seal("sk-provider-secret", "agency/default");
    assertThat(sealed).startsWith("v1:").doesNotContain("sk-provider-secret");
    assertThat(sealer.open(sealed, "agency/default")).isEqualTo("sk-provider-secret");
    assertThatThrownBy(() -> sealer.open(sealed, "agency/other"))
        .isInstanceOf(IllegalArgumentException.class);
    CredentialSealer other = CredentialSealer.fromBase64(CredentialSealer.newKeyBase64());
    assertThatThrownBy(() -> other.open(sealed, "agency/default"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sealingTwiceGivesDifferentCiphertexts() {
    assertThat(sealer.seal("x", "a/b")).isNotEqualTo(sealer.seal("x", "a/b"));
  }

  @Test
  void rejectsKeysOfTheWrongSize() {
    assertThatThrownBy(() -> CredentialSealer.fromBase64("c2hvcnQ="))
        .hasMessageContaining("32 bytes");
  }

  @Test
  void generatedApiKeysAreLongRandomAndHashStably() {
    String k = ApiKeys.generate();
    assertThat(k).startsWith("tg-").hasSize(46).matches("tg-[0-9A-Za-z]{43}");
    assertThat(ApiKeys.generate()).isNotEqualTo(k);
    assertThat(ApiKeys.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(ApiKeys.displayPrefix(k)).hasSize(8).isEqualTo(k.substring(0, 8));
  }

  /** Status, the usage endpoint and the access log show a prefix: of a short imported key, a quarter, not half. */
  @Test
  void aShortImportedKeyShowsAQuarterOfItself() {
    assertThat(ApiKeys.displayPrefix("sk-0123456789abc")).isEqualTo("sk-0");
    assertThat(ApiKeys.displayPrefix("sk-proj-0123456789abcdefghijklmnop")).isEqualTo("sk-proj-");
    assertThat(ApiKeys.displayPrefix("")).isEmpty();
  }
}
