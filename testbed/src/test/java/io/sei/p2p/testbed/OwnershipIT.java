package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.sei.p2p.controller.Controller;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeDeployment;
import io.sei.p2p.resources.SeidSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The controller never writes what it does not control, and a node's key outlives the node. */
class OwnershipIT {

  private static final Duration WAIT = Duration.ofSeconds(90);
  @RegisterExtension
  static final TestCluster cluster = TestCluster.simulating(Duration.ofMillis(500), Duration.ofMillis(500));

  @Test
  void aForeignConfigMapIsLeftUntouchedReportedAndTheNodeConvergesOnceItIsGone() {
    String ns = cluster.plane().newNamespace("foreign-config");
    assertThat(cluster.plane().kubectl().run("-n", ns, "create", "configmap", "victim-config", "--from-literal=mine=yes")
        .succeeded()).isTrue();
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      Instant applied = Instant.now();
      cluster.apply(ns, Manifests.fullNode("victim", ""));

      Await.until("NameConflict", WAIT, () -> "NameConflict".equals(cluster.reason(ns, "victim", "Synced")));
      assertThat(cluster.condition(ns, "victim", "Synced").getMessage()).isEqualTo("ConfigMap " + ns
          + "/victim-config already exists and is not controlled by any owner, so SeiNode victim leaves it untouched; "
          + "rename or delete it to let victim proceed");
      ConfigMap foreign = cluster.configMap(ns, "victim");
      assertThat(foreign.getData()).containsExactly(Map.entry("mine", "yes"));
      retriesLeaveUntouched(controller, ns, "seinode", "victim", "/spec", "configmaps victim-config", applied);
      assertThat(foreign.getMetadata().getOwnerReferences()).isEmpty();
      assertThat(cluster.statefulSet(ns, "victim")).as("not started on someone else's config").isNull();
      Await.until("a Warning Event", WAIT, () -> cluster.events(ns, "victim").contains("NameConflict"));

      cluster.client().resource(foreign).delete();
      Await.until("converged by itself", WAIT, () -> cluster.statefulSet(ns, "victim") != null
          && "Synced".equals(cluster.reason(ns, "victim", "Synced")));
      assertThat(cluster.configMap(ns, "victim").getData()).containsKey(SeidSettings.CONFIG_TOML);
    }
  }

  @Test
  void aForeignServiceIsLeftUntouched() {
    String ns = cluster.plane().newNamespace("foreign-service");
    assertThat(cluster.plane().kubectl().run("-n", ns, "create", "service", "clusterip", "squatter", "--tcp=80:8080")
        .succeeded()).isTrue();
    Service before = cluster.service(ns, "squatter");
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      Instant applied = Instant.now();
      cluster.apply(ns, Manifests.fullNode("squatter", ""));

      Await.until("NameConflict", WAIT, () -> "NameConflict".equals(cluster.reason(ns, "squatter", "Synced")));
      assertThat(cluster.condition(ns, "squatter", "Synced").getMessage()).startsWith("Service " + ns
          + "/squatter already exists and is not controlled by any owner");
      Service after = cluster.service(ns, "squatter");
      assertThat(after.getMetadata().getResourceVersion()).as("never written").isEqualTo(
          before.getMetadata().getResourceVersion());
      retriesLeaveUntouched(controller, ns, "seinode", "squatter", "/spec", "services squatter", applied);
    }
  }

  @Test
  void aDeploymentNeverTakesOverAnIndependentSeiNodeOfItsChildsName() {
    String ns = cluster.plane().newNamespace("foreign-child");
    cluster.apply(ns, Manifests.fullNode("foo-0", ""));
    SeiNode independent = cluster.node(ns, "foo-0");
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      Instant applied = Instant.now();
      cluster.apply(ns, Manifests.deployment("foo", "", 1, "", "overrides: {p2p.pex: \"false\"}"));

      Await.until("NameConflict on the deployment", WAIT, () -> deploymentSynced(ns, "foo") != null
          && "NameConflict".equals(deploymentSynced(ns, "foo").getReason()));
      assertThat(deploymentSynced(ns, "foo").getMessage()).isEqualTo("SeiNode " + ns + "/foo-0 already exists and is "
          + "not controlled by any owner, so SeiNodeDeployment foo leaves it untouched; rename or delete it to let foo "
          + "proceed");
      SeiNode after = cluster.node(ns, "foo-0");
      assertThat(after.getSpec()).isEqualTo(independent.getSpec());
      // its own status is the SeiNode reconciler's to write; the node itself is nobody's
      retriesLeaveUntouched(controller, ns, "seinodedeployment", "foo", "/spec/template/spec", "seinodes foo-0",
          applied);
      assertThat(after.getMetadata().getOwnerReferences()).isEmpty();
      Await.until("a Warning Event", WAIT, () -> cluster.events(ns, "foo").contains("NameConflict"));
    }
  }

  @Test
  void aNodeKeepsItsKeyWhenDeletedAndCreatedAgainAndThroughAScaleDownAndUp() {
    String ns = cluster.plane().newNamespace("keys");
    try (Controller controller = cluster.controller(ns, TestCluster.ROUTABLE)) {
      cluster.apply(ns, Manifests.fullNode("keeper", ""));
      Await.until("a node ID", WAIT, () -> cluster.node(ns, "keeper").getStatus().nodeId() != null);
      String id = cluster.node(ns, "keeper").getStatus().nodeId();
      Secret key = cluster.client().secrets().inNamespace(ns).withName("keeper-node-key").get();
      assertThat(key.getMetadata().getOwnerReferences()).as("owned by nobody, so it outlives the node").isEmpty();
      assertThat(key.getImmutable()).isTrue();
      assertThat(key.getMetadata().getLabels()).containsEntry("sei.io/node", "keeper");

      cluster.client().resources(SeiNode.class).inNamespace(ns).withName("keeper").delete();
      Await.until("the node is gone", WAIT, () -> cluster.node(ns, "keeper") == null);
      cluster.apply(ns, Manifests.fullNode("keeper", ""));
      Await.until("the same node ID again", WAIT, () -> id.equals(cluster.node(ns, "keeper").getStatus().nodeId()));
      assertThat(keyVersion(ns, "keeper")).as("the key Secret is read, never written again")
          .isEqualTo(key.getMetadata().getResourceVersion());

      cluster.apply(ns, Manifests.deployment("trio", "", 3, "", ""));
      List<String> children = List.of("trio-0", "trio-1", "trio-2");
      Await.until("three node IDs", WAIT, () -> children.stream()
          .allMatch(c -> cluster.node(ns, c).getStatus().nodeId() != null));
      List<String> ids = children.stream().map(c -> cluster.node(ns, c).getStatus().nodeId()).toList();
      List<String> versions = children.stream().map(c -> keyVersion(ns, c)).toList();
      cluster.apply(ns, Manifests.deployment("trio", "", 1, "", ""));
      Await.until("scaled down to one", WAIT, () -> cluster.node(ns, "trio-1") == null
          && cluster.node(ns, "trio-2") == null);
      cluster.apply(ns, Manifests.deployment("trio", "", 3, "", ""));
      Await.until("the same three node IDs after scaling up again", WAIT, () -> children.stream()
          .map(c -> cluster.node(ns, c).getStatus().nodeId()).toList().equals(ids));
      assertThat(children.stream().map(c -> keyVersion(ns, c)).toList()).isEqualTo(versions);
    }
  }

  /**
   * Three more reconciles of {@code owner} (a {@code kind}, its overrides at {@code specPath} changed before each)
   * meet the foreign object {@code foreign} ({@code <resource> <name>}): the owner stays Synced=False/NameConflict,
   * and the audit log holds no write of the controller's to the object since {@code from}.
   */
  private static void retriesLeaveUntouched(Controller controller, String ns, String kind, String owner,
      String specPath, String foreign, Instant from) {
    String reconciled = kind.equals("seinode") ? "SeiNode" : "SeiNodeDeployment";
    for (String pex : List.of("false", "true", "false")) {
      int before = TestCluster.reconciles(controller, reconciled);
      Kubectl.Result patched = cluster.plane().kubectl().run("-n", ns, "patch", kind, owner, "--type", "json", "-p",
          "[{\"op\": \"add\", \"path\": \"" + specPath + "/overrides\", \"value\": {\"p2p.pex\": \"" + pex
              + "\"}}]");
      assertThat(patched.succeeded()).as(patched.toString()).isTrue();
      Await.until(owner + " reconciled after the change", WAIT,
          () -> TestCluster.reconciles(controller, reconciled) > before);
      Condition synced = kind.equals("seinode") ? cluster.condition(ns, owner, "Synced") : deploymentSynced(ns, owner);
      assertThat(synced.getStatus()).isEqualTo("False");
      assertThat(synced.getReason()).isEqualTo("NameConflict");
    }
    assertThat(cluster.controllerWrites(ns, from)).as("the controller's writes").noneMatch(write -> write.endsWith(
        " " + foreign));
  }

  private static String keyVersion(String ns, String node) {
    return cluster.client().secrets().inNamespace(ns).withName(node + "-node-key").get().getMetadata().getResourceVersion();
  }

  private static Condition deploymentSynced(String ns, String name) {
    SeiNodeDeployment deployment = cluster.client().resources(SeiNodeDeployment.class).inNamespace(ns).withName(name).get();
    return deployment.getStatus() == null ? null
        : Conditions.find(deployment.getStatus().conditions(), "Synced");
  }
}
