package io.sei.p2p.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sei.p2p.config.PodSettings;
import io.sei.p2p.net.Routability;
import io.sei.p2p.peers.Ec2Peers;
import io.sei.p2p.peers.Peers;
import io.sei.p2p.peers.Selectors;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Builds model objects from the JSON users write. */
public final class Fixtures {

  public static final KubernetesSerialization JSON = new KubernetesSerialization();
  public static final Routability ROUTABLE = new Routability(true, "pod IP 10.0.3.7 is inside VPC CIDR 10.0.0.0/16");
  public static final Routability NOT_ROUTABLE = new Routability(false, "SEI_VPC_CIDR is not configured");
  public static final PodSettings POD_SETTINGS = new PodSettings("tools:1",
      new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("2")).addToRequests("memory",
          new Quantity("8Gi")).addToLimits("memory", new Quantity("8Gi")).build(),
      null, new Quantity("100Gi"), PodSettings.GenesisSource.ofConfigMap("pacific-1-genesis"));

  private Fixtures() {
  }

  /** A SeiNode named {@code name}; {@code specExtra} is appended to a minimal spec, e.g. {@code ,"paused":true}. */
  public static SeiNode node(String name, String specExtra) {
    return JSON.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{"name":"%s","namespace":"ns"},
         "spec":{"chainId":"pacific-1","image":"seid","fullNode":{}%s}}""".formatted(name, specExtra), SeiNode.class);
  }

  /** A directory that filters plain lists, as a reference for the indexed one the controller uses. */
  public static Peers.Directory directory(List<Peers.NodeView> nodes, List<Peers.DeploymentView> deployments) {
    return directory(nodes, deployments, Map.of());
  }

  /** The same, with what is known of each {@code ec2Tags} source (an unknown source was never answered). */
  public static Peers.Directory directory(List<Peers.NodeView> nodes, List<Peers.DeploymentView> deployments,
      Map<Ec2Peers.Source, Ec2Peers.Lookup> ec2) {
    return new Peers.Directory() {
      @Override
      public Ec2Peers.Lookup ec2Instances(Ec2Peers.Source source) {
        return ec2.getOrDefault(source, Ec2Peers.Lookup.PENDING);
      }

      @Override
      public Collection<Peers.NodeView> nodes(String namespace, Map<String, String> selector) {
        return nodes.stream().filter(n -> n.namespace().equals(namespace) && Selectors.matches(selector, n.labels()))
            .toList();
      }

      @Override
      public Collection<Peers.DeploymentView> deployments(String namespace, Map<String, String> selector) {
        return deployments.stream()
            .filter(d -> d.namespace().equals(namespace) && Selectors.matches(selector, d.labels())).toList();
      }
    };
  }

  public static SeiNodeDeployment deployment(String name, String specExtra, String templateSpecExtra) {
    return deployment(name, 3, specExtra, templateSpecExtra);
  }

  public static SeiNodeDeployment deployment(String name, int replicas) {
    return deployment(name, replicas, "", "");
  }

  private static SeiNodeDeployment deployment(String name, int replicas, String specExtra, String templateSpecExtra) {
    return JSON.unmarshal("""
        {"apiVersion":"sei.io/v1alpha1","kind":"SeiNodeDeployment","metadata":{"name":"%s","namespace":"ns"},
         "spec":{"replicas":%d%s,"template":{"spec":{"chainId":"pacific-1","image":"seid","fullNode":{}%s}}}}"""
        .formatted(name, replicas, specExtra, templateSpecExtra), SeiNodeDeployment.class);
  }
}
