package io.sei.p2p.testbed;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * moto's server on loopback: the EC2 and ELBv2 APIs the AWS Load Balancer Controller calls, seeded with a VPC that
 * has public subnets in two zones, and read back through the same APIs (AWS's query protocol; moto does not check
 * signatures, it only reads the service from the credential scope).
 */
public final class Moto implements AutoCloseable {

  public static final String REGION = "us-east-1";
  /** Credentials moto accepts; what the load balancer controller's SDK signs with. */
  public static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "testing",
      "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", REGION, "AWS_EC2_METADATA_DISABLED", "true");
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);

  /** An NLB as ELBv2 describes it. */
  public record LoadBalancer(String arn, String dnsName, String type, String scheme) {
  }

  /** A target group of an NLB. */
  public record TargetGroup(String arn, String targetType, String protocol, int port) {
  }

  /** A listener of an NLB. */
  public record Listener(String protocol, int port) {
  }

  /** An EC2 instance as RunInstances answered (an address it lacks is null). */
  public record Instance(String id, String publicDnsName, String publicIp, String privateDnsName, String privateIp) {
  }

  private final LocalProcess process;
  private final String endpoint;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Moto(LocalProcess process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  /** Starts {@code motoServer} on a free loopback port and waits until it answers. */
  public static Moto start(Path motoServer, Path log) throws InterruptedException {
    int port = FreePort.next();
    LocalProcess process = LocalProcess.start("moto", List.of(motoServer.toString(), "-H", "127.0.0.1", "-p",
        Integer.toString(port)), log);
    Moto moto = new Moto(process, "http://127.0.0.1:" + port);
    try {
      process.awaitServing(() -> {
        moto.http.send(HttpRequest.newBuilder(URI.create(moto.endpoint + "/moto-api/")).build(),
            HttpResponse.BodyHandlers.discarding());
        return true;
      }, READY_WITHIN, Duration.ofMillis(200));
    } catch (IllegalStateException e) {
      process.close();
      throw e;
    }
    return moto;
  }

  /** What {@code AWS_ENDPOINT_URL} points the SDK at. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * A VPC with an internet gateway and two public subnets in two zones, tagged as the load balancer controller
   * discovers them for internet-facing NLBs of {@code cluster}; returns the VPC's ID.
   */
  public String seedVpc(String cluster) {
    String vpc = text(ec2("CreateVpc", Map.of("CidrBlock", "10.0.0.0/16")), "vpcId");
    String gateway = text(ec2("CreateInternetGateway", Map.of()), "internetGatewayId");
    ec2("AttachInternetGateway", Map.of("InternetGatewayId", gateway, "VpcId", vpc));
    String routeTable = text(ec2("DescribeRouteTables", Map.of("Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpc)),
        "routeTableId");
    ec2("CreateRoute", Map.of("RouteTableId", routeTable, "DestinationCidrBlock", "0.0.0.0/0", "GatewayId", gateway));
    String[] zones = {REGION + "a", REGION + "b"};
    for (int i = 0; i < zones.length; i++) {
      String subnet = text(ec2("CreateSubnet", Map.of("VpcId", vpc, "CidrBlock", "10.0." + i + ".0/24",
          "AvailabilityZone", zones[i])), "subnetId");
      ec2("CreateTags", Map.of("ResourceId.1", subnet, "Tag.1.Key", "kubernetes.io/role/elb", "Tag.1.Value", "1",
          "Tag.2.Key", "kubernetes.io/cluster/" + cluster, "Tag.2.Value", "shared"));
    }
    return vpc;
  }

  /**
   * Runs an instance in {@code region} carrying {@code tags}: in the region's default subnet (public addresses) when
   * {@code subnet} is null, else in that subnet (only private ones, for a subnet of {@link #seedVpc}).
   */
  public Instance runInstance(String region, Map<String, String> tags, String subnet) {
    Map<String, String> parameters = new LinkedHashMap<>(Map.of("ImageId", "ami-12c6146b", "MinCount", "1",
        "MaxCount", "1", "InstanceType", "t3.micro", "TagSpecification.1.ResourceType", "instance"));
    if (subnet != null) {
      parameters.put("SubnetId", subnet);
    }
    int i = 1;
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      parameters.put("TagSpecification.1.Tag." + i + ".Key", tag.getKey());
      parameters.put("TagSpecification.1.Tag." + i + ".Value", tag.getValue());
      i++;
    }
    Element instance = (Element) ec2(region, "RunInstances", parameters).getElementsByTagName("instancesSet").item(0);
    return new Instance(text(instance, "instanceId"), optionalText(instance, "dnsName"),
        optionalText(instance, "ipAddress"), optionalText(instance, "privateDnsName"),
        optionalText(instance, "privateIpAddress"));
  }

  public void stopInstance(String region, String id) {
    ec2(region, "StopInstances", Map.of("InstanceId.1", id));
  }

  public void terminateInstance(String region, String id) {
    ec2(region, "TerminateInstances", Map.of("InstanceId.1", id));
  }

  /** A subnet of the VPC {@link #seedVpc} made. */
  public String subnetOf(String vpc) {
    return text(ec2("DescribeSubnets", Map.of("Filter.1.Name", "vpc-id", "Filter.1.Value.1", vpc)), "subnetId");
  }

  public List<LoadBalancer> loadBalancers() {
    return elements(elbv2("DescribeLoadBalancers", Map.of()), "LoadBalancers").stream()
        .map(lb -> new LoadBalancer(text(lb, "LoadBalancerArn"), text(lb, "DNSName"), text(lb, "Type"),
            text(lb, "Scheme")))
        .toList();
  }

  public List<TargetGroup> targetGroups(String loadBalancerArn) {
    return elements(elbv2("DescribeTargetGroups", Map.of("LoadBalancerArn", loadBalancerArn)), "TargetGroups")
        .stream()
        .map(group -> new TargetGroup(text(group, "TargetGroupArn"), text(group, "TargetType"),
            text(group, "Protocol"), Integer.parseInt(text(group, "Port"))))
        .toList();
  }

  public List<Listener> listeners(String loadBalancerArn) {
    return elements(elbv2("DescribeListeners", Map.of("LoadBalancerArn", loadBalancerArn)), "Listeners").stream()
        .map(listener -> new Listener(text(listener, "Protocol"), Integer.parseInt(text(listener, "Port"))))
        .toList();
  }

  public Map<String, String> attributes(String loadBalancerArn) {
    return elements(elbv2("DescribeLoadBalancerAttributes", Map.of("LoadBalancerArn", loadBalancerArn)),
        "Attributes").stream()
        .collect(Collectors.toMap(attribute -> text(attribute, "Key"), attribute -> text(attribute, "Value"),
            (a, b) -> b, LinkedHashMap::new));
  }

  @Override
  public void close() {
    process.close();
  }

  private Element ec2(String action, Map<String, String> parameters) {
    return ec2(REGION, action, parameters);
  }

  private Element ec2(String region, String action, Map<String, String> parameters) {
    return call(region, "ec2", action, "2016-11-15", parameters);
  }

  private Element elbv2(String action, Map<String, String> parameters) {
    return call(REGION, "elasticloadbalancing", action, "2015-12-01", parameters);
  }

  private Element call(String region, String service, String action, String version,
      Map<String, String> parameters) {
    Map<String, String> form = new LinkedHashMap<>(Map.of("Action", action, "Version", version));
    form.putAll(parameters);
    String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/" + region + "/" + service
            + "/aws4_request, SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(service + " " + action + " answered " + response.statusCode() + ": "
            + new String(response.body(), StandardCharsets.UTF_8));
      }
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
      return document.getDocumentElement();
    } catch (IOException | SAXException | ParserConfigurationException e) {
      throw new IllegalStateException(service + " " + action + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling " + service + " " + action, e);
    }
  }

  /** The {@code member} children of the first {@code list} element. */
  private static List<Element> elements(Element root, String list) {
    List<Element> members = new ArrayList<>();
    NodeList lists = root.getElementsByTagName(list);
    if (lists.getLength() == 0) {
      return members;
    }
    NodeList children = lists.item(0).getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element member && "member".equals(member.getTagName())) {
        members.add(member);
      }
    }
    return members;
  }

  /** The text of the first {@code tag} under {@code element}; null when there is none or it is empty. */
  private static String optionalText(Element element, String tag) {
    NodeList found = element.getElementsByTagName(tag);
    String text = found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
    return text.isEmpty() ? null : text;
  }

  /** The text of the first {@code tag} under {@code element}. */
  private static String text(Element element, String tag) {
    NodeList found = element.getElementsByTagName(tag);
    if (found.getLength() == 0) {
      throw new IllegalStateException("no <" + tag + "> in the answer");
    }
    return found.item(0).getTextContent().trim();
  }
}
