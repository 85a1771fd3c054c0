package io.sei.p2p.peers;

import io.sei.p2p.model.PeerSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cache index keys that relate nodes to what their peer sources select, so that a change fans out only to the
 * nodes that depend on it and a lookup costs in proportion to what it finds.
 *
 * <p>Objects are indexed under one key per label ({@code <namespace>/<key>=<value>}). A dependent node is indexed
 * under one pair of each of its selectors (the first, in key order): anything its selector matches carries that
 * pair, so looking up each label of a changed object finds every dependent, and only few others.
 */
public final class PeerIndex {

  private static final String NODE_SOURCE = "node:";
  private static final String DEPLOYMENT_SOURCE = "deployment:";
  private static final String EC2_SOURCE = "ec2:";

  private PeerIndex() {
  }

  /** The keys an object with {@code labels} is found under; for a selector, the keys its matches share. */
  public static List<String> labelKeys(String namespace, Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    List<String> keys = new ArrayList<>(labels.size());
    labels.forEach((key, value) -> keys.add(pair(namespace, key, value)));
    return keys;
  }

  /** The keys a node with {@code sources} is indexed under as a dependent of what they select. */
  public static List<String> dependencyKeys(String ownNamespace, List<PeerSource> sources) {
    List<String> keys = new ArrayList<>();
    for (PeerSource source : sources == null ? List.<PeerSource>of() : sources) {
      if (source.label() != null && !isEmpty(source.label().selector())) {
        keys.add(NODE_SOURCE + firstPair(Selectors.namespaceOr(source.label().namespace(), ownNamespace),
            source.label().selector()));
      }
      if (source.seinodeDeployment() != null && !isEmpty(source.seinodeDeployment().selector())) {
        keys.add(DEPLOYMENT_SOURCE + firstPair(
            Selectors.namespaceOr(source.seinodeDeployment().namespace(), ownNamespace),
            source.seinodeDeployment().selector()));
      }
      if (source.ec2Tags() != null) {
        keys.add(dependentsOfEc2(Ec2Peers.Source.of(source.ec2Tags())));
      }
    }
    return keys.stream().distinct().toList();
  }

  /** The dependency keys under which nodes that may select a SeiNode with these labels are indexed. */
  public static List<String> dependentsOfNode(String namespace, Map<String, String> labels) {
    return labelKeys(namespace, labels).stream().map(key -> NODE_SOURCE + key).toList();
  }

  /** The dependency keys under which nodes that may select a SeiNodeDeployment with these labels are indexed. */
  public static List<String> dependentsOfDeployment(String namespace, Map<String, String> labels) {
    return labelKeys(namespace, labels).stream().map(key -> DEPLOYMENT_SOURCE + key).toList();
  }

  /** The dependency key under which the nodes that list an {@code ec2Tags} source's instances are indexed. */
  public static String dependentsOfEc2(Ec2Peers.Source source) {
    return EC2_SOURCE + source.key();
  }

  /** Whether {@code sources} (of a node in {@code ownNamespace}) select the SeiNode {@code namespace} / labels. */
  public static boolean selectsNode(String ownNamespace, List<PeerSource> sources, String namespace,
      Map<String, String> labels) {
    return sources != null && sources.stream().anyMatch(source -> source.label() != null
        && Objects.equals(Selectors.namespaceOr(source.label().namespace(), ownNamespace), namespace)
        && Selectors.matches(source.label().selector(), labels));
  }

  /** Whether {@code sources} select the SeiNodeDeployment {@code namespace} / labels. */
  public static boolean selectsDeployment(String ownNamespace, List<PeerSource> sources, String namespace,
      Map<String, String> labels) {
    return sources != null && sources.stream().anyMatch(source -> source.seinodeDeployment() != null
        && Objects.equals(Selectors.namespaceOr(source.seinodeDeployment().namespace(), ownNamespace), namespace)
        && Selectors.matches(source.seinodeDeployment().selector(), labels));
  }

  private static String firstPair(String namespace, Map<String, String> selector) {
    String key = Collections.min(selector.keySet());
    return pair(namespace, key, selector.get(key));
  }

  private static String pair(String namespace, String key, String value) {
    return namespace + "/" + key + "=" + value;
  }

  private static boolean isEmpty(Map<String, String> selector) {
    return selector == null || selector.isEmpty();
  }
}
