package io.sei.p2p.controller;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.sei.p2p.model.SeiNode;
import io.sei.p2p.peers.Ec2Peers;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What EC2 last answered for each {@code ec2Tags} source in use, kept fresh by one DescribeInstances per source and
 * refresh period, whatever the number of nodes that list it. Nodes read it from memory; when an answer changes (or a
 * call starts or stops failing), the nodes that list the source are reconciled. A failed call keeps the last answer.
 */
final class Ec2Instances extends SimpleInboundEventSource<SeiNode> {

  private static final Logger LOG = LoggerFactory.getLogger(Ec2Instances.class);

  /** Lists a source's running instances; the one place that calls AWS. */
  @FunctionalInterface
  interface Describe extends AutoCloseable {
    /** The instances, in any order. */
    List<Ec2Peers.Instance> running(Ec2Peers.Source source) throws Failed;

    @Override
    default void close() {
    }
  }

  /** A DescribeInstances that did not answer. */
  static final class Failed extends Exception {
    private final transient Ec2Peers.Failure failure;

    Failed(Ec2Peers.Failure failure, Throwable cause) {
      super(failure.message(), cause);
      this.failure = failure;
    }

    Ec2Peers.Failure failure() {
      return failure;
    }
  }

  /** A source's last lookup, and whether a node read it since the last refresh (so it is still in use). */
  private static final class Entry {
    volatile Ec2Peers.Lookup lookup = Ec2Peers.Lookup.PENDING;
    volatile boolean read = true;
  }

  private final Describe describe;
  private final Duration refresh;
  private final Function<Ec2Peers.Source, Set<ResourceID>> dependents;
  private final ConcurrentMap<Ec2Peers.Source, Entry> sources = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "ec2-instances");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * @param dependents the nodes that list a source now (from the cache index), reconciled when its answer changes
   */
  Ec2Instances(Describe describe, Duration refresh, Function<Ec2Peers.Source, Set<ResourceID>> dependents) {
    super("ec2-instances");
    this.describe = describe;
    this.refresh = refresh;
    this.dependents = dependents;
  }

  /** What is known of {@code source} now; the first read of a source starts its refreshes. */
  Ec2Peers.Lookup lookup(Ec2Peers.Source source) {
    Entry entry = sources.get(source);
    if (entry == null) {
      Entry created = new Entry();
      entry = sources.putIfAbsent(source, created);
      if (entry == null) {
        // PENDING, whatever the first call answers: the scheduler thread may answer before this returns
        scheduler.execute(() -> refresh(source, created));
        return Ec2Peers.Lookup.PENDING;
      }
    }
    entry.read = true;
    return entry.lookup;
  }

  /** Asks EC2 once and plans the next call while the source is used; nothing that fails ends the refreshes. */
  private void refresh(Ec2Peers.Source source, Entry entry) {
    try {
      if (!refreshOnce(source, entry)) {
        return;
      }
    } catch (RuntimeException e) {
      LOG.warn("refreshing the EC2 instances of {} failed; trying again in {}", source, refresh, e);
    }
    if (!scheduler.isShutdown()) {
      scheduler.schedule(() -> refresh(source, entry), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Asks EC2 once and tells the dependents when the answer changed; false when no node lists the source any more. */
  private boolean refreshOnce(Ec2Peers.Source source, Entry entry) {
    Set<ResourceID> using = dependents.apply(source);
    if (using.isEmpty() && !entry.read) {
      sources.remove(source, entry); // no node lists it any more: stop asking
      return false;
    }
    entry.read = false;
    Ec2Peers.Lookup before = entry.lookup;
    Ec2Peers.Lookup after;
    try {
      after = new Ec2Peers.Lookup(describe.running(source).stream()
          .sorted(Comparator.comparing(Ec2Peers.Instance::id)).toList(), null, true);
    } catch (Failed e) {
      after = new Ec2Peers.Lookup(before.instances(), e.failure(), before.answered());
      if (!e.failure().equals(before.failure())) {
        LOG.warn("{}; the {} nodes that list these instances keep the last answer", e.failure().message(),
            using.size(), e.getCause());
      }
    } catch (RuntimeException e) {
      after = new Ec2Peers.Lookup(before.instances(), new Ec2Peers.Failure(false, "listing EC2 instances in "
          + source.region() + " failed: " + e), before.answered());
      LOG.warn("listing EC2 instances in {} failed", source.region(), e);
    }
    entry.lookup = after;
    if (!after.equals(before)) {
      using.forEach(this::propagateEvent);
    }
    return true;
  }

  @Override
  public void stop() {
    scheduler.shutdownNow();
    describe.close();
    super.stop();
  }
}
