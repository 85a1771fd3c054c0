package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerRunTest {

  private static final Deployment DEPLOYMENT = Serialization.unmarshal("""
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d}
      spec:
        template:
          spec:
            terminationGracePeriodSeconds: 20
            containers:
            - name: c
              env:
              - {name: A, value: "1"}
              - name: POD_IP
                valueFrom: {fieldRef: {fieldPath: status.podIP}}
              volumeMounts:
              - {name: tls, mountPath: /etc/tls, readOnly: true}
              - {name: scratch, mountPath: /tmp}
              resources: {limits: {memory: 384Mi}}
              securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
                                capabilities: {drop: ["ALL"]}}
            volumes:
            - {name: tls, secret: {secretName: certs}}
            - {name: scratch, emptyDir: {}}
      """, Deployment.class);

  @Test
  void theManifestsSettingsBecomePodmanFlags() {
    ContainerRun run = ContainerRun.of(DEPLOYMENT, "c", Map.of("certs", Path.of("/local/certs")),
        Map.of("status.podIP", "127.0.0.1"));

    assertThat(run.flags()).containsExactly("--network", "host", "--user", "65532:65532",
        "--read-only", "--read-only-tmpfs=false", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--memory", "402653184b", "-v", "/local/certs:/etc/tls:ro", "--tmpfs", "/tmp",
        "-e", "A=1", "-e", "POD_IP=127.0.0.1");
    assertThat(run.gracePeriod()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void whatCannotBeMappedIsAnErrorNotAnOmission() {
    assertThatThrownBy(() -> ContainerRun.of(DEPLOYMENT, "c", Map.of(), Map.of("status.podIP", "127.0.0.1")))
        .hasMessage("no local folder for Secret certs");
    assertThatThrownBy(() -> ContainerRun.of(DEPLOYMENT, "c", Map.of("certs", Path.of("/l")), Map.of()))
        .hasMessage("no value for env POD_IP");
    assertThatThrownBy(() -> ContainerRun.of(DEPLOYMENT, "other", Map.of(), Map.of()))
        .hasMessage("d has no container other");
  }
}
