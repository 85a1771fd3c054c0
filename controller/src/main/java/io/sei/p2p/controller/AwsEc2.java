package io.sei.p2p.controller;

import io.sei.p2p.peers.Ec2Peers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * DescribeInstances through the AWS SDK: one client per region, made on first use, with the SDK's default credentials
 * chain (IRSA's web identity, EKS Pod Identity, the environment), its standard retries, and bounded waits so that a
 * slow EC2 delays only the next refresh.
 */
final class AwsEc2 implements Ec2Instances.Describe {

  /** Codes with which AWS refuses the caller, as opposed to failing for a while. */
  private static final Set<String> DENIED = Set.of("UnauthorizedOperation", "AuthFailure", "AccessDenied",
      "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken");
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final URI endpoint;
  private final ConcurrentMap<String, Ec2Client> clients = new ConcurrentHashMap<>();

  /** @param endpoint where to send EC2 calls (a VPC endpoint, a test server), or null for the region's own */
  AwsEc2(URI endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public List<Ec2Peers.Instance> running(Ec2Peers.Source source) throws Ec2Instances.Failed {
    DescribeInstancesRequest request = DescribeInstancesRequest.builder()
        .filters(source.filters().entrySet().stream()
            .map(filter -> Filter.builder().name(filter.getKey()).values(filter.getValue()).build()).toList())
        .build();
    List<Ec2Peers.Instance> instances = new ArrayList<>();
    try {
      // the paginator follows NextToken: every page is read before the answer counts
      for (Reservation reservation : client(source.region()).describeInstancesPaginator(request).reservations()) {
        for (Instance instance : reservation.instances()) {
          instances.add(new Ec2Peers.Instance(instance.instanceId(), tags(instance.tags()), instance.publicDnsName(),
              instance.publicIpAddress(), instance.privateDnsName(), instance.privateIpAddress()));
        }
      }
    } catch (AwsServiceException e) {
      throw new Ec2Instances.Failed(failure(source.region(), e), e);
    } catch (SdkException e) {
      throw new Ec2Instances.Failed(new Ec2Peers.Failure(false, "could not reach EC2 in " + source.region() + ": "
          + e.getMessage()), e);
    }
    return instances;
  }

  /** What the node's condition says: for a refusal, the permission to grant; otherwise AWS's code and message. */
  static Ec2Peers.Failure failure(String region, AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    String said = (code == null ? "HTTP " + e.statusCode() : code) + (message == null ? "" : ": " + message);
    if ((code != null && DENIED.contains(code)) || e.statusCode() == 401 || e.statusCode() == 403) {
      return new Ec2Peers.Failure(true, "EC2 refused DescribeInstances in " + region + " (" + said + "); the "
          + "controller's AWS identity needs ec2:DescribeInstances (bind a role that allows it through IRSA or EKS "
          + "Pod Identity)");
    }
    return new Ec2Peers.Failure(false, "EC2 DescribeInstances in " + region + " failed (" + said + ")");
  }

  private Ec2Client client(String region) {
    return clients.computeIfAbsent(region, name -> {
      Ec2ClientBuilder builder = Ec2Client.builder()
          .region(Region.of(name))
          .credentialsProvider(DefaultCredentialsProvider.builder().build())
          .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT)
              .socketTimeout(ATTEMPT_TIMEOUT))
          .overrideConfiguration(override -> override.retryStrategy(RetryMode.STANDARD)
              .apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(CALL_TIMEOUT));
      if (endpoint != null) {
        builder.endpointOverride(endpoint);
      }
      return builder.build();
    });
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().filter(tag -> tag.key() != null && tag.value() != null)
        .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
  }

  @Override
  public void close() {
    clients.values().forEach(Ec2Client::close);
    clients.clear();
  }
}
