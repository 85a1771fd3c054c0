package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Sei node: one seid process in one StatefulSet, optionally published as a P2P peer over its own NLB. */
@Group(WellKnown.GROUP)
@Version(WellKnown.VERSION)
@SchemaCustomizer(value = KubernetesFormats.class, input = "io.sei.p2p.model.SeiNode")
// said, not derived: fabric8 would otherwise pluralize the kind with regular expressions each time an object of this
// kind is built, which is every one read from the apiserver or a review
@Plural("seinodes")
@ShortNames("snode")
@AdditionalPrinterColumn(name = "Chain", jsonPath = ".spec.chainId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Published", jsonPath = ".status.conditions[?(@.type==\"Published\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Address", jsonPath = ".status.externalAddress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SeiNode extends CustomResource<SeiNodeSpec, SeiNodeStatus> implements Namespaced {

  @Override
  @JsonPropertyDescription("The node wanted: its chain, image, mode, peers and how it is exposed.")
  public SeiNodeSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the controller last saw and did: the node's ID, published address, peers and "
      + "conditions. Written only by the controller.")
  public SeiNodeStatus getStatus() {
    return super.getStatus();
  }
}
