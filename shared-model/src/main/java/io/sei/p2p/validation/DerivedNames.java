package io.sei.p2p.validation;

import io.sei.p2p.model.WellKnown;
import io.sei.p2p.net.KubernetesNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Every Kubernetes name derived from a node ({@code <node>} for the headless Service and StatefulSet,
 * {@code <node>-p2p} for the NLB Service, {@code <node>-0} for the pod) must be a DNS-1035 label, or the node can
 * never be published. Checked at admission so that the user hears it at once.
 */
public final class DerivedNames {

  private DerivedNames() {
  }

  /** Problems with the names derived from a SeiNode called {@code node}, reported at {@code field}. */
  public static List<FieldProblem> checkNode(String node, String field) {
    return check(node, field, "");
  }

  /** Problems with the names derived from the longest-named child of a SeiNodeDeployment. */
  public static List<FieldProblem> checkDeployment(String deployment, int replicas, String field) {
    String longestChild = WellKnown.childName(deployment, Math.max(replicas, 1) - 1);
    return check(longestChild, field, " (the name of child SeiNode \"" + longestChild + "\" of this deployment)");
  }

  private static List<FieldProblem> check(String node, String field, String origin) {
    List<FieldProblem> problems = new ArrayList<>();
    for (Derived derived : List.of(
        new Derived("Service and StatefulSet name", node),
        new Derived("load-balancer Service name", WellKnown.p2pServiceName(node)),
        new Derived("pod name", WellKnown.podName(node)))) {
      KubernetesNames.dns1035LabelProblem(derived.name()).ifPresent(problem -> problems.add(new FieldProblem(field,
          "derived " + derived.what() + " \"" + derived.name() + "\"" + origin + " " + problem
              + "; choose a shorter name made of lowercase letters, digits and '-'")));
      if (!problems.isEmpty()) {
        break; // the first derived name that fails says it all; the longer ones fail for the same reason
      }
    }
    return problems;
  }

  private record Derived(String what, String name) {
  }
}
