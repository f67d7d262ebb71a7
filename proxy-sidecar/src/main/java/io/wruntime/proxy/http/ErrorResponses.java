package io.wruntime.proxy.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.wruntime.proxy.routing.Resolution.Rejected;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The proxy's own error answers: a status and {@code {"error": "...", "code": "...", ...}}. */
final class ErrorResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  /**
   * The response of {@code rejected}.
   *
   * @param retryAfter sets {@code Retry-After} (whole seconds, at least 1) when not null
   */
  static FullHttpResponse of(
      ByteBufAllocator alloc, Rejected rejected, boolean keepAlive, Duration retryAfter) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", rejected.message());
    body.put("code", rejected.code());
    body.putAll(rejected.details());
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an error body of strings and lists cannot fail", e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(rejected.status()),
            alloc.buffer(bytes.length).writeBytes(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(response, bytes.length);
    if (retryAfter != null) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      response.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
    }
    HttpUtil.setKeepAlive(response, keepAlive);
    return response;
  }
}
