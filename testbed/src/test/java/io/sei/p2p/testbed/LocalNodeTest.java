package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalNodeTest {

  @Test
  void guardRulesRefuseUntranslatedServiceAddressesAndPodTrafficLeavingForAnythingButTheApiserversSide() {
    List<List<String>> rules = LocalNode.guardRules();

    assertThat(rules).contains(
        List.of("iptables", "-w", "-A", "SEI-P2P-NODE-OUT", "-d", "10.96.0.0/12", "-m", "conntrack", "!",
            "--ctstate", "DNAT", "-j", "REJECT"),
        List.of("iptables", "-w", "-A", "SEI-P2P-NODE-FWD", "-i", LocalNode.BRIDGE, "!", "-o", LocalNode.BRIDGE,
            "!", "-d", "10.250.250.1", "-j", "REJECT"));
    // every chain exists before a rule or a jump names it
    assertThat(rules.indexOf(List.of("iptables", "-w", "-N", "SEI-P2P-NODE-OUT")))
        .isLessThan(rules.indexOf(List.of("iptables", "-w", "-I", "OUTPUT", "1", "-j", "SEI-P2P-NODE-OUT")));
  }

  @Test
  void theBridgeNameFitsALinuxInterfaceName() {
    assertThat(LocalNode.BRIDGE.length()).isLessThanOrEqualTo(15);
  }

  @Test
  void networkNamespaceIsReadFromACniResult() {
    String result = """
        {"kind":"cniCacheV1","containerId":"abc","config":"e30=","ifName":"eth0","networkName":"sei-p2p-node",
         "cniArgs":[["K8S_POD_NAME","coredns"]],"result":{"interfaces":[{"name":"eth0",
         "sandbox":"/var/run/netns/cni-1f2e3d4c-aaaa-bbbb-cccc-0123456789ab"}]}}
        """;

    assertThat(LocalNode.networkNamespace(result)).contains("/var/run/netns/cni-1f2e3d4c-aaaa-bbbb-cccc-0123456789ab");
    assertThat(LocalNode.networkNamespace("{}")).isEmpty();
  }

  @Test
  void theKubeletKeepsItsCgroupsPluginsAndDnsOnThisNode() {
    String config = LocalNode.kubeletConfig(new LocalNode.KubeletSettings("192.0.2.2", 11001, 11002,
        Path.of("/n/ca.crt"), Path.of("/n/s.crt"), Path.of("/n/s.key"), Path.of("/n/containerd.sock"),
        Path.of("/n/resolv.conf"), Path.of("/n/logs"), Path.of("/n/plugins")));

    assertThat(config)
        .contains("address: 192.0.2.2\nport: 11001\n")
        .contains("cgroupRoot: /" + LocalNode.CGROUP_ROOT + "\n")
        .contains("containerRuntimeEndpoint: unix:///n/containerd.sock\n")
        .contains("clusterDNS: [" + LocalNode.DNS_SERVICE_IP + "]\n")
        .contains("resolvConf: /n/resolv.conf\n")
        .contains("volumePluginDir: /n/plugins\n")
        .contains("nodefs.available: \"1%\"");
  }

  @Test
  void coreDnsRunsOnTheRealNodeFromTheImportedImageAndHasNoForwarding() {
    List<HasMetadata> objects = Serialization.unmarshal(
        LocalNode.coreDnsManifests(Path.of("/run/hosts"), "lb-hosts"));
    Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .findFirst().orElseThrow();
    var pod = deployment.getSpec().getTemplate().getSpec();
    String corefile = LocalNode.coreDnsManifests(Path.of("/run/hosts"), "lb-hosts");

    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/hostname", LocalNode.NODE_NAME);
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo(LocalNode.COREDNS_IMAGE);
    assertThat(pod.getContainers().get(0).getImagePullPolicy()).isEqualTo("Never");
    assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null)
        .singleElement().satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/run/hosts"));
    assertThat(corefile).contains("hosts /etc/hosts-file/lb-hosts {").doesNotContain("forward");
  }

  @Test
  void containerdPullsNothingItsSandboxImageIsTheLocalPause() {
    String config = LocalNode.containerdConfig(Path.of("/n/containerd"), Path.of("/n/cni"));

    assertThat(config)
        .contains("sandbox_image = \"" + LocalNode.PAUSE_IMAGE + "\"")
        .contains("address = \"/n/containerd/containerd.sock\"")
        .contains("conf_dir = \"/n/cni\"")
        .contains("SystemdCgroup = false");
  }

  @Test
  void theHostRecordReadsBackWhatTheNodeFoundSpacesAndSlashesIncluded() {
    LocalNode.HostRecord found = new LocalNode.HostRecord(4242, Path.of("/tmp/sei-p2p-control-plane-42/node"),
        Map.of("kernel/panic", "0", "kernel/keys/root_maxbytes", "25000000"),
        Set.of("/var/lib/cni", "/run/containerd"));

    assertThat(LocalNode.HostRecord.parse(found.text())).isEqualTo(found);
  }

  @Test
  void aRecordWithoutItsFolderOrOwnerIsRefusedNotGuessed() {
    assertThatThrownBy(() -> LocalNode.HostRecord.parse("owner=1\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without its folder or owner");
    assertThatThrownBy(() -> LocalNode.HostRecord.parse("dir=/tmp/sei-p2p-control-plane-42/node\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without its folder or owner");
  }

  @Test
  void onlyTheProgramsANodeLaunchedAreTakenForItsProcesses() {
    Path folder = Path.of("/tmp/sei-p2p-control-plane-42/node");

    assertThat(LocalNode.isNodeProcess("/usr/bin/containerd", "containerd --config " + folder
        + "/containerd/config.toml", folder)).isTrue();
    assertThat(LocalNode.isNodeProcess("/root/.cache/sei-p2p/kube/k8s-v1.34.4/kubelet", "kubelet --config="
        + folder + "/kubelet/config.yaml", folder)).isTrue();
    assertThat(LocalNode.isNodeProcess("/usr/bin/less", "less " + folder + "/kubelet.log", folder))
        .as("someone reading its log").isFalse();
    assertThat(LocalNode.isNodeProcess("/usr/bin/bash", "bash -c cd " + folder + "/rootfs && ls", folder)).isFalse();
    assertThat(LocalNode.isNodeProcess("/usr/bin/containerd", "containerd --config /etc/containerd/config.toml",
        folder)).as("the machine's own containerd").isFalse();
    assertThat(LocalNode.isNodeProcess("/usr/bin/containerd", "containerd --config " + folder
        + "-other/config.toml", folder)).as("another folder that starts the same").isFalse();
  }

  @Test
  void aRecordWhoseFolderIsNotANodesIsRefusedBeforeAnythingUnderItIsTouched() {
    for (String dir : List.of("/", "/home/someone", "/tmp/plane/node", "/tmp/sei-p2p-control-plane-42",
        "/tmp/sei-p2p-control-plane-42/node/..", "/tmp/sei-p2p-control-plane-42/../../etc/node",
        "/tmp/sei-p2p-control-plane-x/node", "/tmp/sei-p2p-control-plane-42/node/more")) {
      assertThatThrownBy(() -> LocalNode.HostRecord.parse("owner=1\ndir=" + dir + "\n")).as(dir)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a node's");
    }
    assertThat(LocalNode.HostRecord.parse("owner=1\ndir=/var/tmp/sei-p2p-control-plane-7/node\n").dir())
        .isEqualTo(Path.of("/var/tmp/sei-p2p-control-plane-7/node"));
  }

  @Test
  void aShimsSocketIsFoundByTheInodeItHoldsNotByItsName() {
    String procNetUnix = """
        Num       RefCount Protocol Flags    Type St Inode Path
        0000000000000000: 00000002 00000000 00010000 0001 01 41207 /run/containerd/s/0a45467b
        0000000000000000: 00000002 00000000 00010000 0001 01 41208 /run/containerd/s/82573c22
        0000000000000000: 00000003 00000000 00000000 0001 03 41209
        0000000000000000: 00000002 00000000 00010000 0001 01 41210 @/containerd-shim/abstract
        """;

    assertThat(LocalNode.unixSocketPaths(procNetUnix, Set.of("41207", "41209", "41210")::contains))
        .containsExactly("/run/containerd/s/0a45467b");
  }
}
