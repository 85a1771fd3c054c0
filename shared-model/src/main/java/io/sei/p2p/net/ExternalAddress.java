package io.sei.p2p.net;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.sei.p2p.model.WellKnown;
import java.util.List;
import java.util.Optional;

/** A node's published address, {@code <host>:26656}: bare host and port, no node ID, no scheme. */
public final class ExternalAddress {

  private ExternalAddress() {
  }

  /** The address an NLB Service offers: ingress[0].hostname, else its ip; empty while it has none. */
  public static Optional<String> fromService(Service service) {
    if (service == null || service.getStatus() == null || service.getStatus().getLoadBalancer() == null) {
      return Optional.empty();
    }
    List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
    if (ingress == null || ingress.isEmpty()) {
      return Optional.empty();
    }
    LoadBalancerIngress first = ingress.get(0);
    String host = first.getHostname() != null && !first.getHostname().isBlank() ? first.getHostname() : first.getIp();
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    return Optional.of((host.contains(":") ? "[" + host + "]" : host) + ":" + WellKnown.P2P_PORT);
  }

  /**
   * The address to publish next. An empty or absent ingress never clears a published address: NLB names do not
   * change once allocated, and a transient empty read must not unpublish a validator.
   */
  public static String next(String published, Optional<String> offered) {
    return offered.orElse(published);
  }

  /** The host part of {@code host:port} (brackets removed from IPv6). */
  public static String host(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? address : address.substring(0, colon);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
