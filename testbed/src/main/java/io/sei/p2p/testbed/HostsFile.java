package io.sei.p2p.testbed;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.WellKnown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DNS of load-balancer names here: a hosts file that JVMs started with {@code -Djdk.net.hosts.file} resolve
 * from (and the real node's CoreDNS serves), each name at a documentation address (nothing dials them; the controller
 * only needs them to resolve), unless {@link #point} sends it to where its node's pod runs.
 */
public final class HostsFile {

  /** The JDK resolver reads the file this property names instead of asking DNS. */
  public static final String PROPERTY = "jdk.net.hosts.file";

  private final Path file;
  private final Map<String, String> names = new TreeMap<>();
  private final Map<String, String> addresses = new TreeMap<>();

  public HostsFile(Path file) {
    this.file = file;
    write();
  }

  /** The hosts file of this JVM's resolver. */
  public static HostsFile ofThisJvm() {
    String path = System.getProperty(PROPERTY);
    if (path == null) {
      throw new IllegalStateException("start the JVM with -D" + PROPERTY + "=<file> so that load-balancer names "
          + "resolve");
    }
    return new HostsFile(Path.of(path));
  }

  public Path path() {
    return file;
  }

  /** {@code hostname} resolves from now on; {@code key} (a Service UID) names the entry. */
  public synchronized void put(String key, String hostname) {
    if (!hostname.equals(names.put(key, hostname))) {
      write();
    }
  }

  /**
   * {@code hostname} resolves to {@code address} rather than a documentation address: where pods really run behind
   * the name, as behind a load balancer.
   */
  public synchronized void point(String hostname, String address) {
    if (!address.equals(addresses.put(hostname, address))) {
      write();
    }
  }

  /**
   * The name of each published address in {@code namespace} resolves to its node's pod, as the node's load balancer
   * (IP targets) forwards to it; a name whose pod has no IP yet keeps what it had.
   */
  public void pointPublishedNamesAtPods(KubernetesClient client, String namespace) {
    Map<String, String> podIps = new TreeMap<>();
    for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
      if (pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
        podIps.put(pod.getMetadata().getName(), pod.getStatus().getPodIP());
      }
    }
    for (SeiNode node : client.resources(SeiNode.class).inNamespace(namespace).list().getItems()) {
      String address = node.getStatus() == null ? null : node.getStatus().externalAddress();
      String podIp = podIps.get(WellKnown.podName(node.getMetadata().getName()));
      if (Networking.tcpEnabled(node.getSpec().networking()) && address != null && podIp != null) {
        point(address.substring(0, address.lastIndexOf(':')), podIp);
      }
    }
  }

  /** The entry's name no longer resolves. */
  public synchronized void remove(String key) {
    if (names.remove(key) != null) {
      write();
    }
  }

  /** Atomically, so that a resolver never reads half a file. */
  private synchronized void write() {
    StringBuilder content = new StringBuilder("127.0.0.1 localhost\n");
    int n = 1;
    for (String hostname : names.values()) {
      String documentation = "198.51.100." + (n++ % 250 + 1);
      content.append(addresses.getOrDefault(hostname, documentation)).append(' ').append(hostname).append('\n');
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
