package io.sei.p2p.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How a node is exposed. Both members are presence signals. The legacy form {@code networking: {}} (neither set)
 * means {@code {http: {}}}, so manifests written before {@code tcp} existed keep their HTTP exposure.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkingConfig(
    @JsonPropertyDescription("Exposure over HTTP (the gateway). Also what networking: {} means: an empty networking "
        + "block is stored as {http: {}}.")
    HttpConfig http,
    @JsonPropertyDescription("Public P2P over TCP: the node gets its own internet-facing AWS Network Load Balancer "
        + "(Service <node>-p2p, port 26656) and starts once its name resolves; status.externalAddress holds "
        + "<lb-hostname>:26656. Refused where pod IPs are not VPC addresses (SEI_VPC_CIDR).")
    TcpConfig tcp) {

  public static final NetworkingConfig HTTP = new NetworkingConfig(new HttpConfig(), null);
  public static final NetworkingConfig TCP = new NetworkingConfig(null, new TcpConfig());

  public boolean httpEnabled() {
    return http != null || tcp == null;
  }

  public boolean tcpEnabled() {
    return tcp != null;
  }

  /** True for the legacy form {@code networking: {}}, which the webhook materialises as {@code {http: {}}}. */
  public boolean legacyEmpty() {
    return http == null && tcp == null;
  }

  /** L7 gateway exposure (carried, not acted on, by this project). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HttpConfig() {
  }

  /** A per-node internet-facing NLB on TCP/26656. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TcpConfig() {
  }
}
