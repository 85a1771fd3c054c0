package io.sei.p2p.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.sei.p2p.config.NlbTargetType;
import io.sei.p2p.model.ConditionReason;
import io.sei.p2p.model.ConditionType;
import io.sei.p2p.model.Conditions;
import io.sei.p2p.model.Networking;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.model.SeiNodeStatus;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.net.DnsWait;
import io.sei.p2p.net.ExternalAddress;
import io.sei.p2p.net.Routability;
import io.sei.p2p.resources.P2pService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The NLB Service and the published address of one node: provision, publish, wait for DNS, or clean up. */
final class Publisher {

  private final ControllerConfig config;
  private final ObjectStore owned;
  private final Dns dns;

  Publisher(ControllerConfig config, ObjectStore owned, Dns dns) {
    this.config = config;
    this.owned = owned;
    this.dns = dns;
  }

  /**
   * @param published whether the address exists and (for a node not started yet) resolves
   * @param mayStart  whether the StatefulSet may be created
   * @param recheck   when to look again without an event (null: events suffice)
   * @param keptSettings load-balancer-choosing annotations an existing Service keeps against the configuration
   *                     (null when there is no Service to judge)
   */
  record Outcome(String address, boolean published, boolean mayStart, String reason, String message,
      Duration recheck, Map<String, String> keptSettings) {

    /** The conditions this outcome sets. */
    List<Condition> conditions(List<Condition> current, SeiNode node, Instant now) {
      Long generation = node.getMetadata().getGeneration();
      List<Condition> conditions = Conditions.set(current, ConditionType.PUBLISHED, published, reason, message,
          generation, now);
      if (keptSettings != null) {
        conditions = Conditions.set(conditions, ConditionType.LOAD_BALANCER_SETTINGS, keptSettings.isEmpty(),
            keptSettings.isEmpty() ? ConditionReason.AS_CONFIGURED : ConditionReason.KEPT_EXISTING,
            keptSettings.isEmpty() ? "the Service's load balancer matches the configuration"
                : "Service " + WellKnown.p2pServiceName(node.getMetadata().getName()) + " keeps " + keptSettings
                    + ": changing them would replace or leak its NLB; new settings apply to new Services only",
            generation, now);
      }
      return conditions;
    }

    /** Events for what changed: once per transition, never once per reconcile. */
    void announce(Events events, SeiNode node, List<Condition> before, List<Condition> after) {
      if (Conditions.transitioned(before, after, ConditionType.PUBLISHED)) {
        if (ConditionReason.NOT_ROUTABLE.equals(reason)) {
          events.warning(node, reason, message);
        } else {
          events.normal(node, reason, message);
        }
      }
      Condition settings = Conditions.find(after, ConditionType.LOAD_BALANCER_SETTINGS);
      if (Conditions.transitioned(before, after, ConditionType.LOAD_BALANCER_SETTINGS)
          && "False".equals(settings.getStatus())) {
        events.warning(node, settings.getReason(), settings.getMessage());
      }
    }
  }

  Outcome publish(SeiNode node, SeiNodeStatus old, boolean started, Instant now) {
    Service existing = owned.get(Service.class, WellKnown.p2pServiceName(node.getMetadata().getName()));
    if (!Networking.tcpEnabled(node.getSpec().networking())) {
      return optOut(node, old, existing);
    }
    Routability routability = routability(node);
    if (!routability.routable()) {
      // no Service is created; one that exists is kept, and so is its address: never unpublish on a doubt
      return new Outcome(old.externalAddress(), false, false, ConditionReason.NOT_ROUTABLE,
          "this cluster cannot publish: " + routability.reason(), config.notRoutableRecheck(), null);
    }
    Service service = StepFailed.during(ConditionReason.SERVICE_APPLY_FAILED,
        () -> owned.ensure(P2pService.desired(node, config.targetType(), existing)));
    Map<String, String> kept = P2pService.keptSettings(config.targetType(), service);
    String address = ExternalAddress.next(old.externalAddress(), ExternalAddress.fromService(service));
    if (address == null) {
      return new Outcome(null, false, false, ConditionReason.LOAD_BALANCER_PENDING,
          "waiting for the AWS Load Balancer Controller "
          + "to provision Service " + service.getMetadata().getName(), null, kept);
    }
    if (!started && !dns.resolves(ExternalAddress.host(address))) {
      return new Outcome(address, false, false, ConditionReason.WAITING_FOR_DNS, ExternalAddress.host(address)
          + " does not resolve yet; the node starts once it does", dnsRecheck(old, now), kept);
    }
    if (started && !address.equals(old.externalAddress()) && !dns.resolves(ExternalAddress.host(address))) {
      // a recreated load balancer: the node restarts onto its new name once, when that name resolves
      return new Outcome(old.externalAddress(), false, true, ConditionReason.WAITING_FOR_DNS,
          "the load balancer's new name "
          + ExternalAddress.host(address) + " does not resolve yet; the node moves to it once it does",
          dnsRecheck(old, now), kept);
    }
    return new Outcome(address, true, true, ConditionReason.PUBLISHED, "published as " + address, null, kept);
  }

  /** tcp removed: delete our Service; clear the address once it is gone (its NLB is deleted first). */
  private Outcome optOut(SeiNode node, SeiNodeStatus old, Service existing) {
    boolean ours = existing != null && Apply.isOwnedBy(existing, node);
    if (ours && existing.getMetadata().getDeletionTimestamp() == null) {
      StepFailed.during(ConditionReason.SERVICE_DELETE_FAILED, () -> owned.delete(existing));
    }
    String address = ours ? old.externalAddress() : null;
    return new Outcome(address, false, true, ConditionReason.TCP_DISABLED,
        ours ? "networking.tcp was removed; deleting Service " + existing.getMetadata().getName()
            : "networking.tcp is not set", null, null);
  }

  private Routability routability(SeiNode node) {
    Routability cluster = config.clusterRoutability();
    Pod pod = owned.get(Pod.class, WellKnown.podName(node.getMetadata().getName()));
    String podIp = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (!cluster.routable() || config.targetType() != NlbTargetType.IP || podIp == null || podIp.isBlank()) {
      return cluster;
    }
    return Routability.ofPod(config.targetType(), config.vpcCidr(), podIp);
  }

  /** When to look again at a name that does not resolve yet ({@link DnsWait}). */
  private static Duration dnsRecheck(SeiNodeStatus old, Instant now) {
    Condition waiting = Conditions.find(old.conditions(), ConditionType.PUBLISHED);
    return DnsWait.recheck(waiting == null || !ConditionReason.WAITING_FOR_DNS.equals(waiting.getReason()) ? null
        : Instant.parse(waiting.getLastTransitionTime()), now);
  }
}
