package io.sei.p2p.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kustomization over {@code manifests/overlays/self-signed} as written, but for the image names, the VPC setting,
 * and the placement on the real node of a {@link LocalNode} (its taint keeps seid pods, whose image cannot be had
 * here, on KWOK's nodes).
 */
public final class Installation {

  private Installation() {
  }

  /** Writes the kustomization into {@code dir} and returns {@code dir}, for {@code kubectl apply -k}. */
  public static Path write(Path dir, Images images, String vpcCidrs, String nodeName) throws IOException {
    Files.createDirectories(dir);
    Path overlay = dir.relativize(RepoRoot.find().resolve("manifests/overlays/self-signed"));
    String patch = """
        - op: replace
          path: /spec/template/spec/containers/0/env/0
          value: {name: SEI_VPC_CIDR, value: "%s"}
        - op: add
          path: /spec/template/spec/nodeSelector
          value: {kubernetes.io/hostname: %s}
        - op: add
          path: /spec/template/spec/tolerations
          value: [{key: %s, operator: Exists, effect: NoSchedule}]
        """.formatted(vpcCidrs, nodeName, LocalNode.TAINT).indent(4);
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
        repository(images.controller()), tag(images.controller()), patch, patch));
    return dir;
  }

  private static String repository(String image) {
    return image.substring(0, image.lastIndexOf(':'));
  }

  private static String tag(String image) {
    return image.substring(image.lastIndexOf(':') + 1);
  }
}
