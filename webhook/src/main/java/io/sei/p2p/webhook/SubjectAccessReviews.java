package io.sei.p2p.webhook;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Asks the apiserver, with a SubjectAccessReview run off the event loop, whether the requesting user may read. */
final class SubjectAccessReviews implements SecretAccess {

  private final Vertx vertx;
  private final KubernetesClient client;
  private final Counter reviews;

  SubjectAccessReviews(Vertx vertx, KubernetesClient client, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.reviews = Counter.builder("sei_webhook_subject_access_reviews")
        .description("SubjectAccessReviews made to check that a node's author may read the Secrets it names")
        .register(registry);
  }

  @Override
  public Future<Boolean> canGet(AdmissionRequest.UserInfo user, String namespace, String secret) {
    reviews.increment();
    return vertx.executeBlocking(() -> {
      SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(
          new SubjectAccessReviewBuilder().withNewSpec()
              .withUser(user.username()).withUid(user.uid()).withGroups(user.groups()).withExtra(user.extra())
              .withNewResourceAttributes()
                .withNamespace(namespace).withVerb("get").withResource("secrets").withName(secret)
              .endResourceAttributes()
              .endSpec().build());
      return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }, false);
  }
}
