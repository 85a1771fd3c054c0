package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** Where a node finds its peers: exactly one member is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.ec2Tags)?1:0) + (has(self.static)?1:0) + (has(self.label)?1:0) + (has(self.seinodeDeployment)?1:0) == 1",
    message = "exactly one of ec2Tags, static, label, or seinodeDeployment must be set")
public record PeerSource(
    @JsonPropertyDescription("The running EC2 instances of a region that carry all the given tags, each as "
        + "<sei.io/node-id tag>@<public DNS name, else public IP, else private DNS name, else private IP>:"
        + "<sei.io/p2p-port tag, default 26656>. Instances without a usable node ID, port or host are left out and "
        + "named in PeersResolved. The controller lists them again every SEI_EC2_REFRESH_SECONDS; when EC2 fails it "
        + "keeps the last answer.")
    Ec2Tags ec2Tags,
    @JsonPropertyDescription("Fixed peer addresses, each <40-hex node ID>@<host>:<port>.")
    @JsonProperty("static") Static staticPeers,
    @JsonPropertyDescription("SeiNodes whose labels carry every pair of the selector: their published "
        + "address when they have one, else their in-cluster name.")
    Label label,
    @JsonPropertyDescription("The children of the SeiNodeDeployments whose labels carry every pair of the "
        + "selector, once they have published their addresses.")
    SeiNodeDeploymentSelector seinodeDeployment) {

  /** The running EC2 instances of a region carrying all the given tags. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.tags.all(k, size(k) >= 1 && size(k) <= 128 && size(self.tags[k]) <= 256)",
      message = "EC2 tag keys have 1 to 128 characters and values at most 256", fieldPath = ".tags")
  public record Ec2Tags(
      @JsonPropertyDescription("The AWS region to look for instances in, as a region code such as us-east-2.")
      @Required @Size(min = 1, max = 32) String region,
      @JsonPropertyDescription("The tags an instance must all carry, each key with its value. 1 to 50 tags, keys of "
          + "1 to 128 characters, values of at most 256.")
      @Required @Size(min = 1, max = 50) Map<String, String> tags) {
  }

  /** Fixed {@code <node_id>@<host>:<port>} addresses. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.addresses.all(a, size(a) <= 300)",
      message = "each address is at most 300 characters (<40 hex>@<host>:<port>)", fieldPath = ".addresses")
  public record Static(
      @JsonPropertyDescription("The peers, each <40-hex node ID>@<host>:<port>, e.g. "
          + "0123456789abcdef0123456789abcdef01234567@peer.example.com:26656. 1 to 256 addresses of at most "
          + "300 characters.")
      @Required @Size(min = 1, max = 256) List<String> addresses) {
  }

  /** SeiNodes whose labels match every pair of the selector. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Label(
      @JsonPropertyDescription("The label pairs a SeiNode must all carry to be a peer. 1 to 16 pairs.")
      @Required @Size(min = 1, max = 16) Map<String, String> selector,
      @JsonPropertyDescription("The namespace to look for SeiNodes in. When unset, the node's own namespace.")
      @Size(max = 63) String namespace) {
  }

  /** The child SeiNodes of the SeiNodeDeployments whose labels match every pair of the selector. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SeiNodeDeploymentSelector(
      @JsonPropertyDescription("The label pairs a SeiNodeDeployment must all carry for its children to be "
          + "peers. 1 to 16 pairs.")
      @Required @Size(min = 1, max = 16) Map<String, String> selector,
      @JsonPropertyDescription("The namespace to look for SeiNodeDeployments in. When unset, the node's own "
          + "namespace.")
      @Size(max = 63) String namespace) {
  }
}
