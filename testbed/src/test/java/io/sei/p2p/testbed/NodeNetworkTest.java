package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeNetworkTest {

  @Test
  void routesIntoTheLinksRangesConflictAndOthersDoNot() {
    String routes = """
        default via 192.0.2.1 dev eth0
        192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
        10.244.0.0/16 via 172.18.0.2 dev br-kind
        10.100.7.9 via 192.0.2.7 dev eth0
        172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
        local 10.250.250.2 dev lo table local proto kernel scope host src 10.250.250.2
        broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1
        10.0.0.0/8 via 192.0.2.9 dev eth0
        """;

    assertThat(NodeNetwork.conflicts(routes)).containsExactly(
        "10.244.0.0/16 via 172.18.0.2 dev br-kind", // wider than the pods' subnet
        "10.100.7.9 via 192.0.2.7 dev eth0", // one address inside the Services' range
        "local 10.250.250.2 dev lo table local proto kernel scope host src 10.250.250.2", // the link's own
        "10.0.0.0/8 via 192.0.2.9 dev eth0"); // holds all three
  }

  @Test
  void aMachineWithOnlyItsOwnNetworkAndDefaultRouteHasNoConflict() {
    assertThat(NodeNetwork.conflicts("""
        default via 192.0.2.1 dev eth0
        192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
        local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
        """)).isEmpty();
  }

  @Test
  void commandsRunInTheNodesNetworkNamespaceOnly() {
    assertThat(NodeNetwork.inside(List.of("ip", "link")))
        .containsExactly("nsenter", "--net=/run/sei-p2p-node-network/net", "--", "ip", "link");
  }

  @Test
  void theHostLinksNameFitsALinuxInterfaceName() {
    assertThat(NodeNetwork.HOST_LINK.length()).isLessThanOrEqualTo(15);
  }
}
