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

/** A fleet of identical SeiNodes named {@code <name>-<ordinal>}, with deployment-wide networking. */
@Group(WellKnown.GROUP)
@Version(WellKnown.VERSION)
@SchemaCustomizer(value = KubernetesFormats.class, input = "io.sei.p2p.model.SeiNodeDeployment")
// said, not derived: fabric8 would otherwise pluralize the kind with regular expressions each time an object of this
// kind is built, which is every one read from the apiserver or a review
@Plural("seinodedeployments")
@ShortNames("snd")
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Published", jsonPath = ".status.publishedReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SeiNodeDeployment extends CustomResource<SeiNodeDeploymentSpec, SeiNodeDeploymentStatus>
    implements Namespaced {

  @Override
  @JsonPropertyDescription("The fleet wanted: how many SeiNodes, the template they are made from, and how they "
      + "are exposed.")
  public SeiNodeDeploymentSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the controller last saw of the children: how many exist, run and are "
      + "published, and their addresses. Written only by the controller.")
  public SeiNodeDeploymentStatus getStatus() {
    return super.getStatus();
  }
}
