package io.sei.p2p.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class NetworkingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void legacyEmptyBlockGetsHttp() throws Exception {
    assertThat(Networking.defaultingPatch(json("{\"spec\":{\"networking\":{}}}"), Networking.SEINODE_BLOCKS))
        .containsExactly(JsonPatchOperation.add("/spec/networking/http", JSON.createObjectNode()));
  }

  @Test
  void absentOrExplicitNetworkingIsLeftAlone() throws Exception {
    for (String spec : new String[] {"{}", "{\"networking\":{\"http\":{}}}", "{\"networking\":{\"tcp\":{}}}",
        "{\"networking\":null}", "{\"networking\":{\"http\":5}}"}) {
      assertThat(Networking.defaultingPatch(json("{\"spec\":" + spec + "}"), Networking.SEINODE_BLOCKS)).as(spec)
          .isEmpty();
    }
  }

  @Test
  void unknownMembersDoNotHideTheLegacyForm() throws Exception {
    assertThat(Networking.defaultingPatch(json("{\"spec\":{\"networking\":{\"udp\":{}}}}"), Networking.SEINODE_BLOCKS))
        .hasSize(1);
  }

  @Test
  void deploymentsAreDefaultedAtBothBlocks() throws Exception {
    JsonNode deployment = json("{\"spec\":{\"networking\":{},\"template\":{\"spec\":{\"networking\":{}}}}}");

    assertThat(Networking.defaultingPatch(deployment, Networking.DEPLOYMENT_BLOCKS))
        .extracting(JsonPatchOperation::path)
        .containsExactly("/spec/networking/http", "/spec/template/spec/networking/http");
  }

  @Test
  void pointerTokensAreEscaped() {
    assertThat(JsonPatchOperation.child("/metadata/labels", "sei.io/node~x")).isEqualTo("/metadata/labels/sei.io~1node~0x");
  }

  @Test
  void aChildTakesTheTemplatesNetworkingElseTheDeployments() {
    assertThat(Networking.forChild(Fixtures.deployment("d", ",\"networking\":{\"tcp\":{}}", "").getSpec()))
        .isEqualTo(NetworkingConfig.TCP);
    assertThat(Networking.forChild(Fixtures.deployment("d", ",\"networking\":{\"tcp\":{}}",
        ",\"networking\":{\"http\":{}}").getSpec())).isEqualTo(NetworkingConfig.HTTP);
    assertThat(Networking.forChild(Fixtures.deployment("d", "", "").getSpec())).isNull();
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
