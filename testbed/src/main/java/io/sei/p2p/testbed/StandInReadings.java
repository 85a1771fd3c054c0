package io.sei.p2p.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sei.p2p.model.WellKnown;
import io.sei.p2p.resources.NodeObjects;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a running seid stand-in (Tendermint v0.35.9) says of itself: its RPC's answers and its log's record. */
final class StandInReadings {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern PEER_CHANGE = Pattern.compile("INFO peer (connected|disconnected) .*peer=([0-9a-f]{40})");

  private StandInReadings() {
  }

  /** The {@code result} of RPC {@code method} of the node whose RPC listens at {@code address} (host:port). */
  static JsonNode rpc(String address, String method) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + "/" + method))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(response.body()).path("result");
    } catch (IOException e) {
      throw new IllegalStateException("the RPC at " + address + " did not answer " + method + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The {@code result} of RPC {@code method} of node {@code name}'s seid, asked inside its pod with the image's wget:
   * seid's RPC listens on the pod's loopback unless an override says otherwise.
   */
  static JsonNode rpcInPod(Kubectl kubectl, String namespace, String name, String method) {
    Kubectl.Result answer = kubectl.run("exec", "-n", namespace, WellKnown.podName(name), "-c",
        NodeObjects.SEID_CONTAINER, "--", "wget", "-qO-", "http://127.0.0.1:" + WellKnown.RPC_PORT + "/" + method);
    if (!answer.succeeded()) {
      throw new IllegalStateException(name + "'s RPC did not answer " + method + ": " + answer);
    }
    try {
      return JSON.readTree(answer.stdout()).path("result");
    } catch (IOException e) {
      throw new IllegalStateException(name + "'s RPC answered " + method + " with no JSON: " + answer.stdout(), e);
    }
  }

  /** The peers node {@code name} is connected to now, from the log of its pod's seid. */
  static Set<String> connectedPeersInPod(Kubectl kubectl, String namespace, String name) {
    return connectedPeers(kubectl.run("logs", "-n", namespace, WellKnown.podName(name), "-c",
        NodeObjects.SEID_CONTAINER).stdout());
  }

  /** The peers in a {@code /net_info} result: those it knows an address of, by node ID, with that address. */
  static Map<String, String> knownPeers(JsonNode netInfo) {
    Map<String, String> peers = new LinkedHashMap<>();
    netInfo.path("peers").forEach(peer -> peers.put(peer.path("node_id").asText(), peer.path("url").asText()));
    return peers;
  }

  /**
   * The IDs of the peers it is connected to now, from its log: v0.35's {@code /net_info} lists the peers it knows an
   * address of, connected or not, so the router's "peer connected" and "peer disconnected" lines are the record.
   */
  static Set<String> connectedPeers(String log) {
    Set<String> connected = new TreeSet<>();
    for (String line : log.split("\n")) {
      Matcher change = PEER_CHANGE.matcher(line);
      if (change.find()) {
        if (change.group(1).equals("connected")) {
          connected.add(change.group(2));
        } else {
          connected.remove(change.group(2));
        }
      }
    }
    return connected;
  }
}
