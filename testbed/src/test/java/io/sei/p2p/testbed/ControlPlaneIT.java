package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
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

  @Test
  void etcdRefusesAClientWithoutTheApiserversCertificate() {
    HttpClient anyone = HttpClient.newBuilder().sslContext(TrustingTls.context()).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    for (String url : plane.etcdUrls()) {
      assertThatThrownBy(() -> anyone.send(HttpRequest.newBuilder(URI.create(url + "/v3/kv/range"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"key\": \"L3JlZ2lzdHJ5\"}")).build(),
          HttpResponse.BodyHandlers.ofString()))
          .as("%s without a client certificate", url).isInstanceOf(SSLHandshakeException.class)
          .hasMessageContaining("certificate_required");
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
