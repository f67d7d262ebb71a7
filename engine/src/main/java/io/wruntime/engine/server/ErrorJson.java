package io.wruntime.engine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.engine.http.EngineError;
import java.nio.charset.StandardCharsets;

/** The JSON body of engine errors: {@code {"error": "...", "code": "...", "module": "..."}}. */
public final class ErrorJson {
  public static final String CONTENT_TYPE = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ErrorJson() {}

  /**
   * @param module {@code ns.name@version} of the module the request was for, or null when unknown
   */
  public static byte[] render(EngineError error, String module) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("error", error.message());
    node.put("code", error.code());
    if (module != null) {
      node.put("module", module);
    }
    return json(node);
  }

  static byte[] json(Object value) {
    try {
      return MAPPER.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }

  static ObjectMapper mapper() {
    return MAPPER;
  }
}
