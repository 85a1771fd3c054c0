package io.sei.p2p.resources;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.model.SeiNodeDeploymentSpec;
import io.sei.p2p.model.SeiNodeSpec;
import io.sei.p2p.model.WellKnown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The child SeiNodes a SeiNodeDeployment wants: {@code <snd>-<ordinal>} for ordinals 0..replicas-1. */
public final class DeploymentChildren {

  private DeploymentChildren() {
  }

  public static List<SeiNode> desired(SeiNodeDeployment deployment) {
    SeiNodeDeploymentSpec spec = deployment.getSpec();
    String name = deployment.getMetadata().getName();
    SeiNodeSpec template = spec.template().spec();
    SeiNodeSpec childSpec = template.withNetworking(Networking.forChild(spec))
        .withPaused(spec.pausedOrDefault() ? Boolean.TRUE : template.paused());
    Map<String, String> templateLabels = spec.template().metadata() == null ? null : spec.template().metadata().labels();
    Map<String, String> annotations = spec.template().metadata() == null ? null
        : spec.template().metadata().annotations();
    List<SeiNode> children = new ArrayList<>();
    for (int ordinal = 0; ordinal < spec.replicasOrDefault(); ordinal++) {
      Map<String, String> labels = new LinkedHashMap<>(templateLabels == null ? Map.of() : templateLabels);
      // reserved labels last: user values never win
      labels.put(WellKnown.LABEL_CHAIN, template.chainId());
      labels.put(WellKnown.LABEL_NODE_DEPLOYMENT, name);
      labels.put(WellKnown.LABEL_NODE_DEPLOYMENT_ORDINAL, Integer.toString(ordinal));
      labels.put(WellKnown.LABEL_REVISION, Long.toString(deployment.getMetadata().getGeneration() == null ? 0
          : deployment.getMetadata().getGeneration()));
      SeiNode child = new SeiNode();
      child.setMetadata(new ObjectMetaBuilder().withName(WellKnown.childName(name, ordinal))
          .withNamespace(deployment.getMetadata().getNamespace()).withLabels(labels)
          .withAnnotations(annotations == null || annotations.isEmpty() ? null : new LinkedHashMap<>(annotations))
          .build());
      child.setSpec(childSpec);
      children.add(child);
    }
    return children;
  }
}
