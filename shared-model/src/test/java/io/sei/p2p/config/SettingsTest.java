package io.sei.p2p.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment settings: unset or blank takes the default; anything else parses or is refused naming the variable. */
class SettingsTest {

  @Test
  void unsetOrBlankTakesTheDefault() {
    Map<String, String> blank = Map.of("N", " ");
    assertThat(Settings.wholeNumber(Map.of(), "N", 7, 0, 10)).isEqualTo(7);
    assertThat(Settings.wholeNumber(blank, "N", 7, 0, 10)).isEqualTo(7);
    assertThat(Settings.seconds(blank, "N", 60, 0, 3600)).isEqualTo(Duration.ofMinutes(1));
    assertThat(Settings.bool(blank, "N", true)).isTrue();
    assertThat(Settings.list(blank, "N")).isEmpty();
  }

  @Test
  void valuesAreTrimmedAndListsSortedWithoutEmptyEntries() {
    assertThat(Settings.port(Map.of("P", " 9443 "), "P", 1)).isEqualTo(9443);
    assertThat(Settings.seconds(Map.of("S", "5"), "S", 60, 5, 3600)).isEqualTo(Duration.ofSeconds(5));
    assertThat(Settings.bool(Map.of("B", "FALSE"), "B", true)).isFalse();
    assertThat(Settings.list(Map.of("L", " b, a,,b ,"), "L")).containsExactly("a", "b");
  }

  @Test
  void aValueOutOfRangeOrUnparsedIsRefusedSayingWhatItMustBe() {
    assertThatThrownBy(() -> Settings.port(Map.of("HEALTH_PORT", "65536"), "HEALTH_PORT", 8081))
        .hasMessage("HEALTH_PORT must be a whole number from 0 to 65535, not \"65536\"");
    assertThatThrownBy(() -> Settings.seconds(Map.of("SEI_EC2_REFRESH_SECONDS", "4"), "SEI_EC2_REFRESH_SECONDS", 60,
        5, 3600)).hasMessage("SEI_EC2_REFRESH_SECONDS must be a whole number of seconds from 5 to 3600, not \"4\"");
    assertThatThrownBy(() -> Settings.wholeNumber(Map.of("N", "1.5"), "N", 1, 0, 10))
        .hasMessage("N must be a whole number from 0 to 10, not \"1.5\"");
    assertThatThrownBy(() -> Settings.bool(Map.of("SEI_LEADER_ELECTION", "flase"), "SEI_LEADER_ELECTION", true))
        .hasMessage("SEI_LEADER_ELECTION must be true or false, not \"flase\"");
  }
}
