package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A kustomization over an overlay of {@code manifests/overlays} as written, but for the image names (the controller's
 * also as its nodes' tools image), the VPC setting and a genesis source for every chain. Where its pods run is the
 * cluster's business ({@link LocalNode#hostNamespace}).
 */
public final class Installation {

  private Installation() {
  }

  /**
   * The commit whose manifests are the previous release's, which the in-cluster test upgrades from: the last with the
   * CRDs inside the overlays. Moved on at each release whose manifests users have installed.
   */
  static final String PREVIOUS_RELEASE = "840619f8ca78f426835fe3d099e1a91430cc0096";

  /**
   * The previous release's manifests folder (see {@link #PREVIOUS_RELEASE}), exported from this repository's history
   * into {@code dir}.
   */
  public static Path previousManifests(Path dir) throws IOException {
    Files.createDirectories(dir);
    // set -o pipefail: a clone without that commit fails here rather than yielding an empty folder
    Command.run(List.of("bash", "-c", "set -o pipefail; git -C \"$1\" archive \"$2\" manifests | tar -x -C \"$3\"",
        "export", RepoRoot.find().toString(), PREVIOUS_RELEASE, dir.toString()));
    return dir.resolve("manifests");
  }

  /** The CRDs' own kustomization, applied before an overlay and never deleted with one. */
  public static Path crds() {
    return RepoRoot.find().resolve("manifests/crds");
  }

  /**
   * Installs as the README says: {@code kubectl apply --server-side -k} of the CRDs, then of {@code installation};
   * the first that fails is the result, else the second's, with the output of both.
   */
  public static Kubectl.Result apply(Kubectl kubectl, Path installation) {
    Kubectl.Result crds = kubectl.run("apply", "--server-side", "-k", crds().toString());
    if (!crds.succeeded()) {
      return crds;
    }
    Kubectl.Result applied = kubectl.run("apply", "--server-side", "-k", installation.toString());
    return new Kubectl.Result(applied.exitCode(), crds.stdout() + applied.stdout(), crds.stderr() + applied.stderr());
  }

  /** Writes the kustomization into {@code dir} and returns {@code dir}, for {@code kubectl apply -k}. */
  public static Path write(Path dir, String overlayName, Images images, String vpcCidrs) throws IOException {
    return write(dir, overlayName, images, vpcCidrs, Map.of());
  }

  /** The same, with {@code controllerSettings} added to the controller's environment. */
  public static Path write(Path dir, String overlayName, Images images, String vpcCidrs,
      Map<String, String> controllerSettings) throws IOException {
    return write(dir, RepoRoot.find().resolve("manifests"), overlayName, images, vpcCidrs, controllerSettings);
  }

  /** The same, of the overlay in {@code manifests} (another release's, say). */
  public static Path write(Path dir, Path manifests, String overlayName, Images images, String vpcCidrs,
      Map<String, String> controllerSettings) throws IOException {
    Files.createDirectories(dir);
    Path overlay = dir.relativize(manifests.resolve("overlays").resolve(overlayName));
    String patch = """
        - op: replace
          path: /spec/template/spec/containers/0/env/0
          value: {name: SEI_VPC_CIDR, value: "%s"}
        """.formatted(vpcCidrs).indent(4);
    Files.writeString(dir.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources:
        - %s
        images:
        - {name: sei-p2p-webhook, newName: %s, newTag: "%s"}
        - {name: sei-p2p-controller, newName: %s, newTag: "%s"}
        patches:
        - target: {group: apps, kind: Deployment, name: sei-p2p-webhook}
          patch: |-
        %s
        - target: {group: apps, kind: Deployment, name: sei-p2p-controller}
          patch: |-
        %s
        """.formatted(overlay, repository(images.webhook()), tag(images.webhook()),
        repository(images.controller()), tag(images.controller()), patch, patch + """
            - op: replace
              path: /spec/template/spec/containers/0/env/3
              value: {name: SEI_TOOLS_IMAGE, value: "%s"}
            - op: replace
              path: /spec/template/spec/containers/0/env/4
              value: {name: SEI_GENESIS, value: "%s"}
            """.formatted(images.controller(), LocalSystem.GENESIS.get("SEI_GENESIS")).indent(4)
        + added(controllerSettings)));
    return dir;
  }

  /**
   * What {@code kubectl rollout status} waits for (its process cannot: Kubectl stops any after 60 s): the controller
   * has seen the latest spec, and every replica is updated and available.
   */
  public static boolean rolledOut(Deployment deployment) {
    DeploymentStatus status = deployment == null ? null : deployment.getStatus();
    if (status == null || status.getObservedGeneration() == null) {
      return false;
    }
    Integer replicas = deployment.getSpec().getReplicas();
    return status.getObservedGeneration() >= deployment.getMetadata().getGeneration()
        && replicas.equals(status.getUpdatedReplicas())
        && replicas.equals(status.getReplicas())
        && replicas.equals(status.getAvailableReplicas());
  }

  private static String added(Map<String, String> settings) {
    StringBuilder patch = new StringBuilder();
    new TreeMap<>(settings).forEach((name, value) -> patch.append("""
        - op: add
          path: /spec/template/spec/containers/0/env/-
          value: {name: %s, value: "%s"}
        """.formatted(name, value).indent(4)));
    return patch.toString();
  }

  private static String repository(String image) {
    return image.substring(0, image.lastIndexOf(':'));
  }

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }
}
