package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local control plane is no door into the machine it runs on: etcd, which holds the whole cluster, answers only
 * clients with the apiserver's certificate, and neither it nor the apiserver listens beyond loopback.
 */
@ExtendWith(ControlPlaneExtension.class)
class ControlPlaneIT {

  private static ControlPlane plane;

  @BeforeAll
  static void useControlPlane(ControlPlane controlPlane) {
    plane = controlPlane;
  }

  /**
   * In TLS 1.3 the server judges the client's certificate after the client has finished its handshake, and answers
   * with an alert. The client sends nothing before reading it: a request already sent and unread when etcd closes
   * makes the close a reset, which can drop the alert (the HTTP client then saw "no bytes" instead).
   */
  @Test
  void etcdRefusesAClientWithoutTheApiserversCertificate() throws Exception {
    for (String url : plane.etcdUrls()) {
      URI uri = URI.create(url);
      try (SSLSocket anyone = (SSLSocket) TrustingTls.context().getSocketFactory().createSocket(uri.getHost(),
          uri.getPort())) {
        anyone.setEnabledProtocols(new String[] {"TLSv1.3"});
        anyone.setSoTimeout(5000);
        anyone.startHandshake();
        assertThatThrownBy(() -> anyone.getInputStream().read())
            .as("%s without a client certificate", url).isInstanceOf(SSLException.class)
            .hasMessageContaining("certificate_required");
      }
    }
    assertThat(plane.client().namespaces().list().getItems()).as("the apiserver, with its certificate, reads etcd")
        .isNotEmpty();
  }

  @Test
  void neitherEtcdNorTheApiserverListensBeyondLoopback() {
    List<String> urls = new ArrayList<>(plane.etcdUrls());
    urls.add(plane.apiserverUrl());
    String machine = LocalNode.lanAddress();

    for (String url : urls) {
      URI uri = URI.create(url);
      assertThat(uri.getHost()).isEqualTo("127.0.0.1");
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(machine, uri.getPort()), 2000);
        }
      }).as("%s's port on %s", url, machine).isInstanceOf(ConnectException.class);
    }
  }
}
