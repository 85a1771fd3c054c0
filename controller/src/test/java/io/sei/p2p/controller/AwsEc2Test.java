package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.sei.p2p.peers.Ec2Peers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** DescribeInstances through the real SDK, against a loopback server that answers as EC2's query API does. */
class AwsEc2Test {

  private static final Map<String, String> CREDENTIALS = Map.of("aws.accessKeyId", "test",
      "aws.secretAccessKey", "test");
  private static final Ec2Peers.Source SENTRIES = new Ec2Peers.Source("us-east-2", Map.of("role", "sentry"));

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer ec2;
  private volatile int status = 200;

  @BeforeEach
  void start() throws IOException {
    CREDENTIALS.forEach(System::setProperty);
    ec2 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ec2.createContext("/", exchange -> {
      String form = URLDecoder.decode(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
          StandardCharsets.UTF_8);
      requests.add(form);
      String body = status == 200 ? page(form.contains("NextToken=page-2") ? 2 : 1) : """
          <?xml version="1.0" encoding="UTF-8"?>
          <Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>r-9</RequestID>\
          </Response>""".formatted(status == 403 ? "UnauthorizedOperation" : "Unavailable",
          status == 403 ? "You are not authorized to perform this operation." : "The service is unavailable.");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    ec2.start();
  }

  @AfterEach
  void stop() {
    ec2.stop(0);
    CREDENTIALS.keySet().forEach(System::clearProperty);
  }

  private AwsEc2 client() {
    return new AwsEc2(URI.create("http://127.0.0.1:" + ec2.getAddress().getPort()));
  }

  @Test
  void everyPageIsReadAndEachInstanceKeepsItsAddressesAndTags() throws Exception {
    try (AwsEc2 aws = client()) {
      List<Ec2Peers.Instance> instances = aws.running(SENTRIES);

      assertThat(instances).containsExactly(
          new Ec2Peers.Instance("i-1", Map.of("sei.io/node-id", "aa".repeat(20), "role", "sentry"),
              "ec2-3-3-3-3.compute-1.amazonaws.com", "3.3.3.3", "ip-10-0-0-1.ec2.internal", "10.0.0.1"),
          new Ec2Peers.Instance("i-2", Map.of("role", "sentry"), "", null, "ip-10-0-0-2.ec2.internal",
              "10.0.0.2")); // EC2 answers an empty public DNS name for an instance without one
    }
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0)).contains("Action=DescribeInstances", "Filter.1.Name=instance-state-name",
        "Filter.1.Value.1=running", "Filter.2.Name=tag:role", "Filter.2.Value.1=sentry").doesNotContain("NextToken");
    assertThat(requests.get(1)).contains("NextToken=page-2");
  }

  @Test
  void aRefusalAndAnOutageBecomeFailuresTheNodesCanShow() {
    status = 403;
    try (AwsEc2 aws = client()) {
      assertThatThrownBy(() -> aws.running(SENTRIES)).isInstanceOfSatisfying(Ec2Instances.Failed.class,
          failed -> assertThat(failed.failure()).isEqualTo(new Ec2Peers.Failure(true, "EC2 refused DescribeInstances "
              + "in us-east-2 (UnauthorizedOperation: You are not authorized to perform this operation.); the "
              + "controller's AWS identity needs ec2:DescribeInstances (bind a role that allows it through IRSA or "
              + "EKS Pod Identity)")));
      status = 503;
      assertThatThrownBy(() -> aws.running(SENTRIES)).isInstanceOfSatisfying(Ec2Instances.Failed.class,
          failed -> assertThat(failed.failure()).isEqualTo(new Ec2Peers.Failure(false, "EC2 DescribeInstances in "
              + "us-east-2 failed (Unavailable: The service is unavailable.)")));
    }
    ec2.stop(0);
    try (AwsEc2 aws = client()) {
      assertThatThrownBy(() -> aws.running(SENTRIES)).isInstanceOfSatisfying(Ec2Instances.Failed.class,
          failed -> assertThat(failed.failure().message()).startsWith("could not reach EC2 in us-east-2: "));
    }
  }

  @Test
  void aFailureWithoutDetailsSaysTheHttpStatus() {
    Ec2Exception bare = (Ec2Exception) Ec2Exception.builder().statusCode(500)
        .awsErrorDetails(AwsErrorDetails.builder().build()).build();
    assertThat(AwsEc2.failure("us-east-2", bare))
        .isEqualTo(new Ec2Peers.Failure(false, "EC2 DescribeInstances in us-east-2 failed (HTTP 500)"));
    Ec2Exception authFailure = (Ec2Exception) Ec2Exception.builder().statusCode(401).awsErrorDetails(
        AwsErrorDetails.builder().errorCode("AuthFailure").errorMessage("bad credentials").build()).build();
    assertThat(AwsEc2.failure("us-east-2", authFailure).denied()).isTrue();
  }

  private static String page(int number) {
    String instance = number == 1 ? """
        <item><instanceId>i-1</instanceId><privateDnsName>ip-10-0-0-1.ec2.internal</privateDnsName>
        <dnsName>ec2-3-3-3-3.compute-1.amazonaws.com</dnsName><privateIpAddress>10.0.0.1</privateIpAddress>
        <ipAddress>3.3.3.3</ipAddress><tagSet><item><key>sei.io/node-id</key><value>%s</value></item>
        <item><key>role</key><value>sentry</value></item></tagSet></item>""".formatted("aa".repeat(20)) : """
        <item><instanceId>i-2</instanceId><privateDnsName>ip-10-0-0-2.ec2.internal</privateDnsName><dnsName/>
        <privateIpAddress>10.0.0.2</privateIpAddress><tagSet><item><key>role</key><value>sentry</value></item>
        </tagSet></item>""";
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-%d</requestId>
        <reservationSet><item><reservationId>r-%d</reservationId><instancesSet>%s</instancesSet></item>
        </reservationSet>%s</DescribeInstancesResponse>""".formatted(number, number, instance,
        number == 1 ? "<nextToken>page-2</nextToken>" : "");
  }
}
