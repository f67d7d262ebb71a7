package io.wruntime.cli.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.cli.output.Json;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints an {@code invoke} response: the body alone in text mode (JSON when the schema converted
 * it, the text as is, base64 for binary), or {@code {"status", "headers", "body"}} in JSON mode.
 *
 * @param status the HTTP status
 * @param headers response headers, names lowercase, in arrival order per name
 * @param body the response body
 * @param conversion the schema that encoded the request, or null when it was sent raw
 */
record ResponseOutput(
    int status, Map<String, List<String>> headers, byte[] body, Conversion conversion) {
  private static final Set<String> PROTOBUF_TYPES =
      Set.of("application/protobuf", "application/x-protobuf", "application/vnd.google.protobuf");

  boolean successful() {
    return status >= 200 && status < 300;
  }

  /** The media type without parameters, lowercase; empty without {@code content-type}. */
  String mediaType() {
    List<String> values = headers.get("content-type");
    if (values == null || values.isEmpty()) {
      return "";
    }
    String value = values.getFirst();
    int semicolon = value.indexOf(';');
    return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** Whether the body is the method's output message, to be printed as JSON. */
  private boolean decodable() {
    return conversion != null && successful() && PROTOBUF_TYPES.contains(mediaType());
  }

  private boolean jsonMediaType() {
    String type = mediaType();
    return type.equals("application/json") || type.endsWith("+json");
  }

  /** Prints the body for people; a note on {@code err} when binary data is shown as base64. */
  void printText(PrintWriter out, PrintWriter err) {
    if (decodable()) {
      out.println(conversion.schema().decodeOutput(conversion.method(), body));
      return;
    }
    if (body.length == 0) {
      return;
    }
    String text = utf8(body);
    if (text != null) {
      if (text.endsWith("\n")) {
        out.print(text);
      } else {
        out.println(text);
      }
    } else {
      err.println(
          "wr-cli: the response body is "
              + body.length
              + " bytes of binary data"
              + (mediaType().isEmpty() ? "" : " (" + mediaType() + ")")
              + ", printed as base64");
      out.println(Base64.getEncoder().encodeToString(body));
    }
  }

  /** The body as one line or a few lines of text for an error message; empty when none. */
  String errorText() {
    if (body.length == 0) {
      return "";
    }
    String text = utf8(body);
    return text != null
        ? text.strip()
        : body.length
            + " bytes of binary data"
            + (mediaType().isEmpty() ? "" : " (" + mediaType() + ")");
  }

  /** {@code {"status": 200, "headers": {...}, "body": ...}}. */
  JsonNode json() {
    ObjectNode root = Json.object();
    root.put("status", status);
    ObjectNode names = root.putObject("headers");
    new TreeMap<>(headers).forEach((name, values) -> names.put(name, String.join(", ", values)));
    if (decodable()) {
      root.set("body", parse(conversion.schema().decodeOutput(conversion.method(), body)));
      return root;
    }
    String text = utf8(body);
    if (text == null) {
      root.put("body", Base64.getEncoder().encodeToString(body));
      root.put("bodyEncoding", "base64");
      return root;
    }
    JsonNode tree = jsonMediaType() ? parse(text) : null;
    if (tree != null) {
      root.set("body", tree);
    } else {
      root.put("body", text);
    }
    return root;
  }

  private static JsonNode parse(String text) {
    try {
      return Json.parse(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** The bytes as text when they are valid UTF-8, else null. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
