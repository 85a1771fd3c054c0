package io.sei.p2p.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The main job, as ./run-local runs it after building: its own control plane and processes, and its summary. */
class LocalRunIT {

  private static final Duration TIME_LIMIT = Duration.ofMinutes(4);

  @Test
  void theMainJobPublishesTheExamplesAndShowsTheRefusal() throws Exception {
    Path log = Files.createTempFile("local-run", ".log");
    LocalProcess run = JavaProcess.start("local-run", LocalRun.class,
        List.of("-Dsei.repo.root=" + RepoRoot.find()), List.of("--once"), Map.of(), log);
    try {
      assertThat(run.awaitExit(TIME_LIMIT)).as("finished within " + TIME_LIMIT.toMinutes() + " minutes").isTrue();
    } finally {
      run.close();
    }
    String output = run.log();

    assertThat(run.exitCode()).as(output).isZero();
    assertThat(output)
        .contains("sei-p2p: installed CRDs seinodes.sei.io and seinodedeployments.sei.io")
        .contains("seinodedeployment.sei.io/public-peers created")
        .contains("was refused:")
        .contains("The SeiNode \"lonely-validator\" is invalid: spec.networking.tcp: this cluster cannot publish nodes "
            + "over tcp: pod IP 100.64.3.7 is outside VPC CIDR 10.0.0.0/16 (overlay network)")
        // Held first, whichever step (LoadBalancerPending or WaitingForDNS) the first report catches, then started.
        .containsPattern("(?s)public-peers-0 +(LoadBalancerPending|WaitingForDNS)[^\\n]*; StatefulSet held\\n.*"
            + "public-peers-0 +Published k8s-sei-demo-public-p-[0-9a-f]{16}\\.elb\\.us-east-2\\.amazonaws\\.com"
            + ":26656; StatefulSet created")
        .doesNotContainPattern("(?s)public-peers-0 +Published.*public-peers-0 +\\S+[^\\n]*; StatefulSet held")
        .contains("sei-p2p: every node is running; summary:")
        .containsPattern("rpc-0 +address=- nodeId=[0-9a-f]{40}")
        .containsPattern("persistent-peers = \"[0-9a-f]{40}@k8s-sei-demo-public-p-");
  }

  /** README, Quick start: a run whose nodes do not all converge in time says so and exits with status 1. */
  @Test
  void aRunWhoseNodesDoNotConvergeInTimeExitsWithStatus1() throws Exception {
    Path log = Files.createTempFile("local-run-short", ".log");
    LocalProcess run = JavaProcess.start("local-run-short", LocalRun.class,
        List.of("-Dsei.repo.root=" + RepoRoot.find(), "-Dsei.local-run.convergence-seconds=0"), List.of("--once"),
        Map.of(), log);
    try {
      assertThat(run.awaitExit(TIME_LIMIT)).as("finished within " + TIME_LIMIT.toMinutes() + " minutes").isTrue();
    } finally {
      run.close();
    }
    String output = run.log();

    assertThat(run.exitCode()).as(output).isEqualTo(1);
    assertThat(output).contains("sei-p2p: not every node converged within 0 s; summary so far:")
        .contains("exiting with status 1: not every node converged")
        .doesNotContain("every node is running");
  }
}
