package io.sei.p2p.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.NetworkingConfig.HttpConfig;
import io.sei.p2p.model.NetworkingConfig.TcpConfig;
import org.junit.jupiter.api.Test;

class NetworkingConfigTest {

  @Test
  void legacyEmptyFormMeansHttp() {
    NetworkingConfig legacy = new NetworkingConfig(null, null);

    assertThat(legacy.httpEnabled()).isTrue();
    assertThat(legacy.tcpEnabled()).isFalse();
    assertThat(legacy.legacyEmpty()).isTrue();
  }

  @Test
  void httpOnly() {
    NetworkingConfig http = new NetworkingConfig(new HttpConfig(), null);

    assertThat(http.httpEnabled()).isTrue();
    assertThat(http.tcpEnabled()).isFalse();
    assertThat(http.legacyEmpty()).isFalse();
  }

  @Test
  void tcpOnlyTurnsHttpOff() {
    NetworkingConfig tcp = new NetworkingConfig(null, new TcpConfig());

    assertThat(tcp.httpEnabled()).isFalse();
    assertThat(tcp.tcpEnabled()).isTrue();
    assertThat(tcp.legacyEmpty()).isFalse();
  }

  @Test
  void both() {
    NetworkingConfig both = new NetworkingConfig(new HttpConfig(), new TcpConfig());

    assertThat(both.httpEnabled()).isTrue();
    assertThat(both.tcpEnabled()).isTrue();
    assertThat(both.legacyEmpty()).isFalse();
  }
}
