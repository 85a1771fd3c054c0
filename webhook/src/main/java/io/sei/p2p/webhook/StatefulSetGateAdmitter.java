package io.sei.p2p.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.sei.p2p.validation.StatefulSetGate;
import io.sei.p2p.validation.StatefulSetGate.Decision;
import io.sei.p2p.validation.StatefulSetGate.Owner;
import io.vertx.core.Future;
import java.util.Optional;

/** Holds a tcp node's StatefulSet until the node is published (the decision is StatefulSetGate's). */
final class StatefulSetGateAdmitter implements Admitter {

  private final OwnerLookup owners;

  StatefulSetGateAdmitter(OwnerLookup owners) {
    this.owners = owners;
  }

  @Override
  public Future<AdmissionResponse> admit(AdmissionRequest request) {
    ObjectMeta metadata;
    try {
      metadata = AdmissionReviewCodec.read(request.object().path("metadata"), ObjectMeta.class);
    } catch (JsonProcessingException e) {
      return Future.succeededFuture(AdmissionResponse.badRequest(
          "could not read the StatefulSet's metadata: " + e.getOriginalMessage()));
    }
    String namespace = request.namespace();
    String name = metadata != null && metadata.getName() != null ? metadata.getName() : request.name();
    Optional<String> ownerName = metadata == null ? Optional.empty() : StatefulSetGate.ownerName(metadata);
    Future<Owner> owner = ownerName.isPresent()
        ? owners.find(namespace, ownerName.get())
        : Future.succeededFuture(new Owner.Unnamed());
    return owner.map(found -> toResponse(StatefulSetGate.decide(namespace, name, found)));
  }

  private static AdmissionResponse toResponse(Decision decision) {
    return decision.allowed() ? AdmissionResponse.allowed(decision.warnings())
        : AdmissionResponse.forbidden(decision.message());
  }
}
