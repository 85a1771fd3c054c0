package io.sei.p2p.validation;

import io.sei.p2p.model.PeerSource;
import io.sei.p2p.net.KubernetesNames;
import io.sei.p2p.peers.PeerAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Semantic checks of peer sources; the CRD's CEL already enforces that exactly one member is set. */
public final class PeerSources {

  private static final int MAX_TAG_KEY = 128;
  private static final int MAX_TAG_VALUE = 256;
  private static final Pattern AWS_REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d{1,2}$");

  private PeerSources() {
  }

  /** Problems in {@code peers}, reported under {@code field} (e.g. {@code spec.peers}). */
  public static List<FieldProblem> check(List<PeerSource> peers, String field) {
    List<FieldProblem> problems = new ArrayList<>();
    if (peers == null) {
      return problems;
    }
    for (int i = 0; i < peers.size(); i++) {
      PeerSource source = peers.get(i);
      String at = field + "[" + i + "]";
      if (source.staticPeers() != null && source.staticPeers().addresses() != null) {
        checkStatic(source.staticPeers().addresses(), at + ".static.addresses", problems);
      }
      if (source.label() != null) {
        checkSelector(source.label().selector(), source.label().namespace(), at + ".label", problems);
      }
      if (source.seinodeDeployment() != null) {
        checkSelector(source.seinodeDeployment().selector(), source.seinodeDeployment().namespace(),
            at + ".seinodeDeployment", problems);
      }
      if (source.ec2Tags() != null && source.ec2Tags().region() != null
          && !AWS_REGION.matcher(source.ec2Tags().region()).matches()) {
        problems.add(new FieldProblem(at + ".ec2Tags.region", "\"" + source.ec2Tags().region()
            + "\" does not look like an AWS region; use a region code such as us-east-2"));
      }
      if (source.ec2Tags() != null && source.ec2Tags().tags() != null) {
        checkTags(source.ec2Tags().tags(), at + ".ec2Tags.tags", problems);
      }
    }
    return problems;
  }

  /** EC2's own limits: a key of 1 to 128 characters, a value of at most 256. */
  private static void checkTags(Map<String, String> tags, String field, List<FieldProblem> problems) {
    tags.forEach((key, value) -> {
      if (key.isEmpty() || key.length() > MAX_TAG_KEY) {
        problems.add(new FieldProblem(field, "tag key \"" + abbreviated(key) + "\" has " + key.length()
            + " characters; EC2 tag keys have 1 to " + MAX_TAG_KEY));
      }
      if (value != null && value.length() > MAX_TAG_VALUE) {
        problems.add(new FieldProblem(field + "[" + abbreviated(key) + "]", "the value has " + value.length()
            + " characters; EC2 tag values have at most " + MAX_TAG_VALUE));
      }
    });
  }

  private static String abbreviated(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private static void checkStatic(List<String> addresses, String field, List<FieldProblem> problems) {
    for (int j = 0; j < addresses.size(); j++) {
      String address = addresses.get(j);
      PeerAddress.Parsed parsed = PeerAddress.parse(address);
      if (parsed.address().isEmpty()) {
        problems.add(new FieldProblem(field + "[" + j + "]", "\"" + address + "\" " + parsed.problem()
            + "; write it as <node_id>@<host>:<port>, e.g. 0123456789abcdef0123456789abcdef01234567@peer.example.com:26656"));
      }
    }
  }

  private static void checkSelector(Map<String, String> selector, String namespace, String field,
      List<FieldProblem> problems) {
    if (selector != null) {
      selector.forEach((key, value) -> {
        KubernetesNames.labelKeyProblem(key).ifPresent(problem -> problems.add(
            new FieldProblem(field + ".selector", "label key \"" + key + "\" " + problem)));
        KubernetesNames.labelValueProblem(value).ifPresent(problem -> problems.add(
            new FieldProblem(field + ".selector", "label value \"" + value + "\" of key \"" + key + "\" " + problem)));
      });
    }
    if (namespace != null) {
      KubernetesNames.dns1123LabelProblem(namespace).ifPresent(problem -> problems.add(
          new FieldProblem(field + ".namespace", "\"" + namespace + "\" is not a namespace name: it " + problem)));
    }
  }
}
