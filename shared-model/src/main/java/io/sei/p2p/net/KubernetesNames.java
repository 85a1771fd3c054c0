package io.sei.p2p.net;

import io.sei.p2p.model.KubernetesFormats;
import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes' own name and label syntax, as the apiserver checks it (apimachinery validation). */
public final class KubernetesNames {

  public static final int DNS_LABEL_MAX = 63;
  public static final int DNS_SUBDOMAIN_MAX = KubernetesFormats.OBJECT_NAME_MAX;
  public static final int LABEL_VALUE_MAX = 63;

  private static final Pattern DNS_1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_1123_SUBDOMAIN = Pattern.compile(KubernetesFormats.OBJECT_NAME_PATTERN);
  private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");

  private KubernetesNames() {
  }

  /** Why {@code name} is not a DNS-1035 label (Service names), or empty when it is one. */
  public static Optional<String> dns1035LabelProblem(String name) {
    return labelProblem(name, DNS_1035_LABEL, "must start with a lowercase letter and contain only lowercase letters, "
        + "digits and '-', ending with a letter or digit");
  }

  /** Why {@code name} is not a DNS-1123 label (namespaces), or empty when it is one. */
  public static Optional<String> dns1123LabelProblem(String name) {
    return labelProblem(name, DNS_1123_LABEL, "must contain only lowercase letters, digits and '-', starting and "
        + "ending with a letter or digit");
  }

  private static Optional<String> labelProblem(String name, Pattern syntax, String rule) {
    if (name.length() > DNS_LABEL_MAX) {
      return Optional.of("is " + name.length() + " characters long; the limit is " + DNS_LABEL_MAX);
    }
    return syntax.matcher(name).matches() ? Optional.empty() : Optional.of(rule);
  }

  /** Why {@code key} is not a valid label key ({@code [prefix/]name}), or empty when it is one. */
  public static Optional<String> labelKeyProblem(String key) {
    String name = key;
    int slash = key.lastIndexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > DNS_SUBDOMAIN_MAX || !DNS_1123_SUBDOMAIN.matcher(prefix).matches()) {
        return Optional.of("has prefix \"" + prefix + "\", which is not a DNS subdomain (lowercase letters, digits, "
            + "'-' and '.', at most " + DNS_SUBDOMAIN_MAX + " characters)");
      }
    }
    if (name.isEmpty() || name.length() > LABEL_VALUE_MAX || !QUALIFIED_NAME_PART.matcher(name).matches()) {
      return Optional.of("has name part \"" + name + "\", which must be 1-" + LABEL_VALUE_MAX + " characters of "
          + "letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }
    return Optional.empty();
  }

  /** Why {@code value} is not a valid label value, or empty when it is one (the empty value is valid). */
  public static Optional<String> labelValueProblem(String value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (value.length() > LABEL_VALUE_MAX || !QUALIFIED_NAME_PART.matcher(value).matches()) {
      return Optional.of("must be at most " + LABEL_VALUE_MAX + " characters of letters, digits, '-', '_' or '.', "
          + "starting and ending with a letter or digit");
    }
    return Optional.empty();
  }
}
