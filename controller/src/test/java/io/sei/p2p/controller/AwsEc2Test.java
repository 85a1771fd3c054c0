package io.sei.p2p.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.sei.p2p.rules.Ec2Peers;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

class AwsEc2Test {

  private static Ec2Peers.Failure failure(int status, String code, String message) {
    return AwsEc2.failure("us-east-2", (Ec2Exception) Ec2Exception.builder().statusCode(status).requestId("r-1")
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build());
  }

  @Test
  void aRefusalNamesThePermissionToGrant() {
    assertThat(failure(403, "UnauthorizedOperation", "You are not authorized to perform this operation."))
        .isEqualTo(new Ec2Peers.Failure(true, "EC2 refused DescribeInstances in us-east-2 (UnauthorizedOperation: "
            + "You are not authorized to perform this operation.); the controller's AWS identity needs "
            + "ec2:DescribeInstances (bind a role that allows it through IRSA or EKS Pod Identity)"));
    assertThat(failure(401, "AuthFailure", "AWS was not able to validate the provided access credentials").denied())
        .isTrue();
  }

  @Test
  void aPassingFaultSaysWhatAwsSaidWithoutTheRequestId() {
    assertThat(failure(503, "RequestLimitExceeded", "Request limit exceeded."))
        .isEqualTo(new Ec2Peers.Failure(false, "EC2 DescribeInstances in us-east-2 failed (RequestLimitExceeded: "
            + "Request limit exceeded.)"));
    assertThat(failure(500, null, null).message()).isEqualTo("EC2 DescribeInstances in us-east-2 failed (HTTP 500)");
  }
}
