package io.sei.p2p.resources;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-node internet-facing NLB Service {@code <node>-p2p}, as the AWS Load Balancer Controller reads it. */
public final class P2pService {

  public static final String TYPE = "service.beta.kubernetes.io/aws-load-balancer-type";
  public static final String TARGET_TYPE = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
  public static final String SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
  public static final String ATTRIBUTES = "service.beta.kubernetes.io/aws-load-balancer-attributes";
  /** Changing any of these on an existing Service replaces the NLB (a new DNS name) or leaks it. */
  public static final List<String> LOAD_BALANCER_CHOOSING = List.of(TYPE, SCHEME, TARGET_TYPE);

  private P2pService() {
  }

  /** What the Service should be. {@code existing} (may be null) keeps its load-balancer-choosing annotations. */
  public static Service desired(SeiNode node, NlbTargetType targetType, Service existing) {
    String name = node.getMetadata().getName();
    Map<String, String> annotations = annotations(targetType, existing);
    // follows the target type the Service actually has, which an existing Service keeps
    boolean ipTargets = NlbTargetType.IP.annotationValue().equals(annotations.get(TARGET_TYPE));
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(WellKnown.p2pServiceName(name))
          .withNamespace(node.getMetadata().getNamespace())
          .addToLabels(WellKnown.LABEL_NODE, name)
          .addToLabels(WellKnown.LABEL_COMPONENT, WellKnown.COMPONENT_P2P_LB)
          .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .withType("LoadBalancer")
          .addNewPort().withName("p2p").withProtocol("TCP").withPort(WellKnown.P2P_PORT)
            .withNewTargetPort(WellKnown.P2P_PORT).endPort()
          .addToSelector("statefulset.kubernetes.io/pod-name", WellKnown.podName(name))
          .withExternalTrafficPolicy("Local")
          .withAllocateLoadBalancerNodePorts(ipTargets ? Boolean.FALSE : null)
        .endSpec()
        .build();
  }

  /** The load-balancer-choosing annotations where {@code existing} differs from the configuration (kept as is). */
  public static Map<String, String> keptSettings(NlbTargetType targetType, Service existing) {
    Map<String, String> wanted = annotations(targetType, null);
    Map<String, String> kept = new LinkedHashMap<>();
    Map<String, String> actual = annotationsOf(existing);
    for (String key : LOAD_BALANCER_CHOOSING) {
      if (actual.containsKey(key) && !actual.get(key).equals(wanted.get(key))) {
        kept.put(key, actual.get(key));
      }
    }
    return kept;
  }

  private static Map<String, String> annotations(NlbTargetType targetType, Service existing) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(TYPE, "external");
    annotations.put(TARGET_TYPE, targetType.annotationValue());
    annotations.put(SCHEME, "internet-facing");
    annotations.put(ATTRIBUTES, "load_balancing.cross_zone.enabled=true");
    Map<String, String> actual = annotationsOf(existing);
    for (String key : LOAD_BALANCER_CHOOSING) {
      if (actual.containsKey(key)) {
        annotations.put(key, actual.get(key));
      }
    }
    return annotations;
  }

  private static Map<String, String> annotationsOf(Service service) {
    return service == null || service.getMetadata().getAnnotations() == null ? Map.of()
        : service.getMetadata().getAnnotations();
  }
}
