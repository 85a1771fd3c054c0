package io.sei.p2p.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback EC2 endpoint in front of moto, for the controller's EC2 calls: it counts the DescribeInstances calls it
 * receives, and answers them as EC2 does when it throttles (503) or refuses the caller (403) when told to.
 */
public final class Ec2Gate implements AutoCloseable {

  /** What the gate does with a call. */
  public enum Mode {
    /** Passes it to moto. */
    FORWARD,
    /** Answers 503 RequestLimitExceeded, as EC2 does when it throttles. */
    THROTTLE,
    /** Answers 403 UnauthorizedOperation, as EC2 does for a role without ec2:DescribeInstances. */
    DENY
  }

  private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Authorization", "X-Amz-Date",
      "X-Amz-Security-Token", "X-Amz-Content-Sha256");

  private final HttpServer server;
  private final String upstream;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicInteger describeCalls = new AtomicInteger();
  private volatile Mode mode = Mode.FORWARD;

  private Ec2Gate(HttpServer server, String upstream) {
    this.server = server;
    this.upstream = upstream;
  }

  /** A gate forwarding to {@code moto}. */
  public static Ec2Gate start(Moto moto) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Ec2Gate gate = new Ec2Gate(server, moto.endpoint());
    server.createContext("/", gate::handle);
    server.setExecutor(Executors.newFixedThreadPool(4, task -> {
      Thread thread = new Thread(task, "ec2-gate");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
    return gate;
  }

  /** What the controller's SEI_EC2_ENDPOINT names. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  /** DescribeInstances calls received so far, answered or not. */
  public int describeCalls() {
    return describeCalls.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String form = new String(body, StandardCharsets.UTF_8);
      boolean describe = form.contains("Action=DescribeInstances");
      if (describe) {
        describeCalls.incrementAndGet();
      }
      Mode now = describe ? mode : Mode.FORWARD;
      switch (now) {
        case THROTTLE -> answer(exchange, 503, error("RequestLimitExceeded", "Request limit exceeded."));
        case DENY -> answer(exchange, 403, error("UnauthorizedOperation",
            "You are not authorized to perform this operation."));
        case FORWARD -> forward(exchange, body);
      }
    }
  }

  private void forward(HttpExchange exchange, byte[] body) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : FORWARDED_HEADERS) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    try {
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      response.headers().firstValue("Content-Type")
          .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
      answer(exchange, response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 502, new byte[0]);
    }
  }

  private static byte[] error(String code, String message) {
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code + "</Code><Message>"
        + message + "</Message></Error></Errors><RequestID>ec2-gate</RequestID></Response>")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
