package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.sei.p2p.peers.Ec2Peers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The EC2 answers kept for the nodes: one call per source and period, the last answer kept through failures. */
class Ec2InstancesTest {

  private static final Ec2Peers.Source SENTRIES = new Ec2Peers.Source("us-east-2", Map.of("role", "sentry"));
  private static final Ec2Peers.Instance A = new Ec2Peers.Instance("i-a", Map.of(), null, null, null, "10.0.0.1");
  private static final Ec2Peers.Instance B = new Ec2Peers.Instance("i-b", Map.of(), null, null, null, "10.0.0.2");
  private static final Duration PERIOD = Duration.ofMillis(200);

  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicReference<Object> answer = new AtomicReference<>(List.of(B, A));
  private final List<ResourceID> reconciled = new CopyOnWriteArrayList<>();
  private final AtomicReference<Set<ResourceID>> dependents = new AtomicReference<>(
      Set.of(new ResourceID("n-0", "ns"), new ResourceID("n-1", "ns")));
  private Ec2Instances instances;

  private Ec2Instances start() {
    instances = new Ec2Instances(source -> {
      calls.incrementAndGet();
      assertThat(source).isEqualTo(SENTRIES);
      Object now = answer.get();
      if (now instanceof Ec2Peers.Failure failure) {
        throw new Ec2Instances.Failed(failure, null);
      }
      @SuppressWarnings("unchecked")
      List<Ec2Peers.Instance> listed = (List<Ec2Peers.Instance>) now;
      return listed;
    }, PERIOD, source -> dependents.get());
    instances.setEventHandler((Event event) -> reconciled.add(event.getRelatedCustomResourceID()));
    instances.start();
    return instances;
  }

  @AfterEach
  void stop() {
    instances.stop();
  }

  @Test
  void aSourceReadByManyNodesAtOnceCostsOneCallPerPeriod() throws Exception {
    start();
    long started = System.nanoTime();
    ExecutorService nodes = Executors.newFixedThreadPool(8);
    for (int i = 0; i < 200; i++) {
      nodes.execute(() -> instances.lookup(SENTRIES));
    }
    nodes.shutdown();
    assertThat(nodes.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    await(() -> instances.lookup(SENTRIES).answered());

    assertThat(instances.lookup(SENTRIES)).isEqualTo(new Ec2Peers.Lookup(List.of(A, B), null, true));
    assertThat(reconciled).as("the first answer reaches every node that lists the source, once")
        .containsExactlyInAnyOrderElementsOf(dependents.get());
    Thread.sleep(5 * PERIOD.toMillis());
    instances.lookup(SENTRIES);
    long periods = (System.nanoTime() - started) / PERIOD.toNanos();
    assertThat(calls.get()).as("one call per period, not per read").isBetween(2, (int) periods + 1);
    assertThat(reconciled).as("an unchanged answer reconciles nobody").hasSize(2);
  }

  @Test
  void aFailureKeepsTheLastAnswerAndIsToldOnceThenTheRecoveryIsToldToo() throws Exception {
    start();
    instances.lookup(SENTRIES);
    await(() -> instances.lookup(SENTRIES).answered());
    reconciled.clear();
    Ec2Peers.Failure throttled = new Ec2Peers.Failure(false, "EC2 DescribeInstances in us-east-2 failed "
        + "(RequestLimitExceeded: Request limit exceeded.)");
    answer.set(throttled);
    await(() -> instances.lookup(SENTRIES).failure() != null);

    assertThat(instances.lookup(SENTRIES)).isEqualTo(new Ec2Peers.Lookup(List.of(A, B), throttled, true));
    int failedCalls = calls.get();
    await(() -> calls.get() >= failedCalls + 3);
    assertThat(reconciled).as("the failure is told once, not at every failed call").hasSize(2);

    answer.set(List.of(A));
    await(() -> instances.lookup(SENTRIES).failure() == null);
    assertThat(instances.lookup(SENTRIES)).isEqualTo(new Ec2Peers.Lookup(List.of(A), null, true));
    assertThat(reconciled).hasSize(4);
  }

  @Test
  void aSourceNoNodeListsAnyMoreIsNoLongerAsked() throws Exception {
    start();
    instances.lookup(SENTRIES);
    await(() -> instances.lookup(SENTRIES).answered());
    dependents.set(Set.of());

    await(() -> {
      int before = calls.get();
      sleep(3 * PERIOD.toMillis());
      return calls.get() == before;
    });
    assertThat(instances.lookup(SENTRIES)).as("asked again, it starts over").isEqualTo(Ec2Peers.Lookup.PENDING);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
