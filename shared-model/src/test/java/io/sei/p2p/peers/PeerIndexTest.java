package io.sei.p2p.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.model.PeerSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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

  /** Looking a changed node up by its labels finds exactly the nodes whose label sources select it. */
  @Property(tries = 300)
  void theIndexFindsEveryDependentAndOnlyThem(@ForAll("fleets") List<List<PeerSource>> dependents,
      @ForAll("labelSets") Map<String, String> changed) {
    Map<String, List<Integer>> index = new HashMap<>();
    for (int i = 0; i < dependents.size(); i++) {
      for (String key : PeerIndex.dependencyKeys("ns", dependents.get(i))) {
        index.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
      }
    }

    Set<Integer> found = PeerIndex.dependentsOfNode("ns", changed).stream()
        .flatMap(key -> index.getOrDefault(key, List.of()).stream())
        .filter(i -> PeerIndex.selectsNode("ns", dependents.get(i), "ns", changed))
        .collect(Collectors.toSet());

    Set<Integer> expected = IntStream.range(0, dependents.size())
        .filter(i -> dependents.get(i).stream().anyMatch(source -> source.label() != null
            && Selectors.matches(source.label().selector(), changed)))
        .boxed().collect(Collectors.toSet());
    assertThat(found).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Map<String, String>> labelSets() {
    return Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), Arbitraries.of("1", "2")).ofMinSize(0).ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<List<PeerSource>>> fleets() {
    Arbitrary<PeerSource> source = labelSets().filter(selector -> !selector.isEmpty())
        .map(selector -> new PeerSource(null, null, new PeerSource.Label(selector, null), null));
    return source.list().ofMinSize(0).ofMaxSize(3).list().ofMinSize(0).ofMaxSize(30);
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
