package io.sei.p2p.webhook;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission endpoints without the HTTP server: checks the input in a fixed order (path, method, content type,
 * size, decoding), dispatches to the endpoint's admitter, and answers every failure with a status and a one-line
 * reason, or inside a review once the review is readable. Never a 500 for bad input.
 */
public final class AdmissionService {

  /** The apiserver sends at most ~3 MiB objects; twice over with oldObject, plus slack. */
  public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionService.class);

  private final Map<String, Endpoint> endpoints;
  private final ReviewMetrics metrics;
  private final ReviewTap tap;

  /** Sees each review body that reaches an endpoint (the testbed records fixtures with it). */
  @FunctionalInterface
  public interface ReviewTap {
    ReviewTap NONE = (path, body) -> { };

    void seen(String path, byte[] body);
  }

  AdmissionService(List<Endpoint> endpoints, ReviewMetrics metrics, ReviewTap tap) {
    this.endpoints = endpoints.stream().collect(Collectors.toUnmodifiableMap(Endpoint::path, Function.identity()));
    this.metrics = metrics;
    this.tap = tap;
  }

  boolean serves(String path) {
    return endpoints.containsKey(path);
  }

  Future<HttpReply> handle(String path, String method, String contentType, byte[] body) {
    long started = System.nanoTime();
    Endpoint endpoint = endpoints.get(path);
    if (endpoint == null) {
      return Future.succeededFuture(HttpReply.error(404, "no admission endpoint at " + path));
    }
    HttpReply rejected = checkTransport(method, contentType, body);
    if (rejected != null) {
      metrics.record(path, "malformed", elapsedSince(started));
      return Future.succeededFuture(rejected);
    }
    tap.seen(path, body);
    AdmissionRequest request;
    try {
      request = AdmissionReviewCodec.decode(body);
    } catch (AdmissionReviewCodec.MalformedReview e) {
      metrics.record(path, "malformed", elapsedSince(started));
      return Future.succeededFuture(HttpReply.error(400, e.getMessage()));
    }
    return judge(endpoint, request).map(response -> {
      metrics.record(path, response.decision(), elapsedSince(started));
      // debug only: a denial reaches its user and the apiserver's audit log and is counted in the review metrics,
      // and a client retrying a refused write must not flood the log from the event loop
      if (!response.allowed() && LOG.isDebugEnabled()) {
        LOG.debug("denied {} {} {}/{} uid={} ({} {})", path, request.operation(), request.namespace(), request.name(),
            request.uid(), response.code(), response.reason());
      }
      return HttpReply.json(AdmissionReviewCodec.encode(request.uid(), response));
    });
  }

  private static HttpReply checkTransport(String method, String contentType, byte[] body) {
    if (!"POST".equals(method)) {
      return HttpReply.error(405, "admission reviews are POSTed, not sent with " + method);
    }
    String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
    if (!"application/json".equalsIgnoreCase(mediaType)) {
      return HttpReply.error(415, "content type must be application/json, not \""
          + (contentType == null ? "" : contentType) + "\"");
    }
    if (body.length > MAX_BODY_BYTES) {
      return HttpReply.error(413, "body of " + body.length + " bytes exceeds the limit of " + MAX_BODY_BYTES);
    }
    return null;
  }

  private static Future<AdmissionResponse> judge(Endpoint endpoint, AdmissionRequest request) {
    String mismatch = endpoint.mismatch(request);
    if (mismatch != null) {
      return Future.succeededFuture(AdmissionResponse.badRequest(mismatch));
    }
    Future<AdmissionResponse> judged;
    try {
      judged = endpoint.admitter().admit(request);
    } catch (RuntimeException e) {
      judged = Future.failedFuture(e);
    }
    return judged.recover(failure -> {
      LOG.error("{} failed while judging uid={}", endpoint.path(), request.uid(), failure);
      // a mutating webhook's failure policy is Ignore: skipping the defaulting loses nothing (httpEnabled() reads
      // the legacy form the same way); a validating one fails closed
      return Future.succeededFuture(endpoint.mutating()
          ? AdmissionResponse.allowed(List.of("defaulting was skipped: the webhook failed (" + failure.getClass()
              .getSimpleName() + ")"))
          : AdmissionResponse.internalError("the webhook failed while judging this request ("
              + failure.getClass().getSimpleName() + "); it can be retried"));
    });
  }

  private static Duration elapsedSince(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
