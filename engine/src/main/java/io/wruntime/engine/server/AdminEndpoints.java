package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.common.http.WrHeaders;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /healthz} (the process is up), {@code GET /readyz} (every module loaded; 503 and the
 * failures otherwise) and {@code GET /metrics} (Prometheus text).
 */
public final class AdminEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoints.class);
  private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final Supplier<ReadinessReport> readiness;
  private final Supplier<String> metrics;

  public AdminEndpoints(Supplier<ReadinessReport> readiness, Supplier<String> metrics) {
    this.readiness = requireNonNull(readiness, "readiness");
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /**
   * True for {@code GET}/{@code HEAD} of an admin path without dispatch headers: a request that
   * names a module ({@code x-wr-namespace}, {@code x-wr-module} or {@code x-wr-version}) goes to it
   * even on these paths.
   */
  public boolean handles(IncomingRequest request) {
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return false;
    }
    if (!isAdminPath(request.pathWithQuery())) {
      return false;
    }
    for (Field f : request.headers()) {
      String name = f.name();
      if (name.equalsIgnoreCase(WrHeaders.NAMESPACE)
          || name.equalsIgnoreCase(WrHeaders.MODULE)
          || name.equalsIgnoreCase(WrHeaders.VERSION)) {
        return false;
      }
    }
    return true;
  }

  /** Answers an admin request; does not block. */
  public void handle(IncomingRequest request, ResponseSink response) {
    request.body().discard();
    try {
      switch (path(request.pathWithQuery())) {
        case "/healthz" ->
            Responses.sendFull(response, 200, ErrorJson.CONTENT_TYPE, HEALTHY, List.of());
        case "/readyz" -> {
          ReadinessReport report = readiness.get();
          Responses.sendFull(
              response,
              report.ready() ? 200 : 503,
              ErrorJson.CONTENT_TYPE,
              readinessJson(report),
              List.of());
        }
        case "/metrics" ->
            Responses.sendFull(
                response,
                200,
                PROMETHEUS,
                metrics.get().getBytes(StandardCharsets.UTF_8),
                List.of());
        default ->
            Responses.sendError(
                response,
                new EngineError(
                    404,
                    "not_found",
                    "no admin endpoint "
                        + request.pathWithQuery()
                        + " (expected: /healthz, /readyz or /metrics)"),
                null);
      }
    } catch (IOException e) {
      LOG.debug("admin response to {} failed: {}", request.pathWithQuery(), e.getMessage());
    }
  }

  /** A handler for a listener that serves only these endpoints. */
  public RequestHandler asHandler() {
    return this::handle;
  }

  static boolean isAdminPath(String pathWithQuery) {
    String path = path(pathWithQuery);
    return path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
  }

  private static String path(String pathWithQuery) {
    int q = pathWithQuery.indexOf('?');
    return q < 0 ? pathWithQuery : pathWithQuery.substring(0, q);
  }

  static byte[] readinessJson(ReadinessReport report) {
    ObjectNode root = ErrorJson.mapper().createObjectNode();
    root.put("status", report.ready() ? "ready" : report.stopping() ? "stopping" : "not_ready");
    ArrayNode modules = root.putArray("modules");
    for (ReadinessReport.ModuleState m : report.modules()) {
      ObjectNode node = modules.addObject();
      node.put("module", m.module());
      node.put("state", m.state());
      if (m.error() != null) {
        node.put("error", m.error());
      }
    }
    return ErrorJson.json(root);
  }
}
