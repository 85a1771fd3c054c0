package io.sei.p2p.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.PeerSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerIndexTest {

  private static final List<PeerSource> SOURCES = List.of(
      new PeerSource(null, null, new PeerSource.Label(Map.of("role", "mesh", "chain", "p1"), null), null),
      new PeerSource(null, null, null, new PeerSource.SeiNodeDeploymentSelector(Map.of("tier", "a"), "other")));

  @Test
  void aDependentIsIndexedUnderOnePairOfEachSelector() {
    assertThat(PeerIndex.dependencyKeys("ns", SOURCES)).containsExactly("node:ns/chain=p1", "deployment:other/tier=a");
  }

  @Test
  void aChangedObjectFindsItsDependentsThroughItsLabels() {
    Map<String, String> labels = Map.of("chain", "p1", "role", "mesh", "x", "y");

    assertThat(PeerIndex.dependentsOfNode("ns", labels))
        .containsExactlyInAnyOrder("node:ns/chain=p1", "node:ns/role=mesh", "node:ns/x=y")
        .containsAll(PeerIndex.dependencyKeys("ns", SOURCES.subList(0, 1)));
    assertThat(PeerIndex.dependentsOfDeployment("other", Map.of("tier", "a")))
        .containsExactly("deployment:other/tier=a");
    assertThat(PeerIndex.labelKeys("ns", null)).isEmpty();
  }

  @Test
  void theExactFilterChecksNamespaceAndEveryPair() {
    assertThat(PeerIndex.selectsNode("ns", SOURCES, "ns", Map.of("chain", "p1", "role", "mesh"))).isTrue();
    assertThat(PeerIndex.selectsNode("ns", SOURCES, "ns", Map.of("chain", "p1"))).isFalse();
    assertThat(PeerIndex.selectsNode("ns", SOURCES, "other", Map.of("chain", "p1", "role", "mesh"))).isFalse();
    assertThat(PeerIndex.selectsDeployment("ns", SOURCES, "other", Map.of("tier", "a"))).isTrue();
    assertThat(PeerIndex.selectsDeployment("ns", SOURCES, "ns", Map.of("tier", "a"))).isFalse();
  }
}
