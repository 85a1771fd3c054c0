package io.sei.p2p.validation;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Holds a tcp node's StatefulSet until the node's published address exists: CometBFT advertises
 * {@code p2p.external_address} from its first start, so starting before the NLB exists publishes nothing.
 */
public final class StatefulSetGate {

  /** How a hold for a missing address reads: the one denial the controller expects and simply retries. */
  public static final String WAITING_FOR_ADDRESS = "status.externalAddress is not set yet";

  private StatefulSetGate() {
  }

  /** The owning SeiNode's name: the controller ownerReference of kind SeiNode in group sei.io, else the label. */
  public static Optional<String> ownerName(ObjectMeta statefulSet) {
    List<OwnerReference> owners = statefulSet.getOwnerReferences() == null ? List.of() : statefulSet.getOwnerReferences();
    for (OwnerReference owner : owners) {
      if (Boolean.TRUE.equals(owner.getController()) && "SeiNode".equals(owner.getKind())
          && owner.getApiVersion() != null && owner.getApiVersion().startsWith(WellKnown.GROUP + "/")) {
        return Optional.of(owner.getName());
      }
    }
    Map<String, String> labels = statefulSet.getLabels() == null ? Map.of() : statefulSet.getLabels();
    return Optional.ofNullable(labels.get(WellKnown.LABEL_NODE)).filter(name -> !name.isBlank());
  }

  /** What looking the owner up found. */
  public sealed interface Owner {
    record Found(SeiNode node) implements Owner {
    }

    record NotFound(String name) implements Owner {
    }

    /** The lookup failed (API error, timeout): the gate fails closed. */
    record Unknown(String name, String error) implements Owner {
    }

    /** The StatefulSet names no owner at all. */
    record Unnamed() implements Owner {
    }
  }

  /** Allowed (perhaps with a warning) or denied with a message for kubectl. */
  public record Decision(boolean allowed, String message, List<String> warnings) {
    static Decision allow(String... warnings) {
      return new Decision(true, null, List.of(warnings));
    }

    static Decision deny(String message) {
      return new Decision(false, message, List.of());
    }
  }

  public static Decision decide(String namespace, String statefulSet, Owner owner) {
    String subject = "StatefulSet " + namespace + "/" + statefulSet;
    if (owner instanceof Owner.Found found) {
      SeiNode node = found.node();
      String address = node.getStatus() == null ? null : node.getStatus().externalAddress();
      boolean held = Networking.tcpEnabled(node.getSpec().networking()) && (address == null || address.isBlank());
      return held
          ? Decision.deny(subject + " is held: SeiNode " + node.getMetadata().getName() + " publishes P2P over tcp "
              + "but " + WAITING_FOR_ADDRESS + " (waiting for its load balancer)")
          : Decision.allow();
    }
    if (owner instanceof Owner.Unknown unknown) {
      return Decision.deny(subject + " is held: its owner SeiNode " + unknown.name() + " could not be checked ("
          + unknown.error() + "); the request can be retried");
    }
    String who = owner instanceof Owner.NotFound notFound
        ? ": owner SeiNode " + notFound.name() + " not found"
        : " names no owner SeiNode";
    return Decision.allow(Validation.shorten(subject + who + "; admitted without the publication check"));
  }
}
