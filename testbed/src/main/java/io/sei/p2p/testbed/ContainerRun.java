package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Deployment's container as {@code podman run} flags, so that an image is started the way the manifest runs it:
 * its user, read-only root, dropped capabilities, no privilege escalation, memory limit, its env, a tmpfs only where
 * the manifest mounts an emptyDir and the manifest's Secret mounts (read-only) from local folders. The network is the
 * host's: a kubelet's pod network does not exist here.
 */
record ContainerRun(List<String> flags, Duration gracePeriod) {

  /** The user the images run as (their {@code USER}); the manifests require a non-root one. */
  static final String USER = "65532:65532";

  /**
   * @param secrets   a local folder for each Secret volume, by Secret name
   * @param fieldRefs a value for each {@code fieldRef} path the env uses (e.g. {@code status.podIP})
   */
  static ContainerRun of(Deployment deployment, String container, Map<String, Path> secrets,
      Map<String, String> fieldRefs) {
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container spec = pod.getContainers().stream().filter(c -> c.getName().equals(container)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(deployment.getMetadata().getName() + " has no container "
            + container));
    List<String> flags = new ArrayList<>(List.of("--network", "host", "--user", USER));
    SecurityContext security = spec.getSecurityContext();
    if (security != null && Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
      // podman would otherwise mount tmpfs on /tmp, /var/tmp and /run, which a read-only pod does not have
      flags.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
    }
    if (security != null && security.getCapabilities() != null && security.getCapabilities().getDrop() != null) {
      security.getCapabilities().getDrop().forEach(capability -> flags.addAll(List.of("--cap-drop", capability)));
    }
    if (security != null && Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
      flags.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    if (spec.getResources() != null && spec.getResources().getLimits() != null
        && spec.getResources().getLimits().containsKey("memory")) {
      flags.addAll(List.of("--memory", spec.getResources().getLimits().get("memory").getNumericalAmount()
          .toBigInteger() + "b"));
    }
    for (VolumeMount mount : spec.getVolumeMounts() == null ? List.<VolumeMount>of() : spec.getVolumeMounts()) {
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no volume " + mount.getName()));
      if (volume.getEmptyDir() != null) {
        flags.addAll(List.of("--tmpfs", mount.getMountPath()));
      } else if (volume.getSecret() != null) {
        Path folder = secrets.get(volume.getSecret().getSecretName());
        if (folder == null) {
          throw new IllegalArgumentException("no local folder for Secret " + volume.getSecret().getSecretName());
        }
        flags.addAll(List.of("-v", folder + ":" + mount.getMountPath() + (Boolean.TRUE.equals(mount.getReadOnly())
            ? ":ro" : "")));
      } else {
        throw new IllegalArgumentException("volume " + volume.getName() + " is neither an emptyDir nor a Secret");
      }
    }
    for (EnvVar env : spec.getEnv() == null ? List.<EnvVar>of() : spec.getEnv()) {
      String value = env.getValueFrom() == null ? env.getValue()
          : fieldRefs.get(env.getValueFrom().getFieldRef().getFieldPath());
      if (value == null) {
        throw new IllegalArgumentException("no value for env " + env.getName());
      }
      flags.addAll(List.of("-e", env.getName() + "=" + value));
    }
    Long grace = pod.getTerminationGracePeriodSeconds();
    return new ContainerRun(List.copyOf(flags), Duration.ofSeconds(grace == null ? 30 : grace));
  }
}
