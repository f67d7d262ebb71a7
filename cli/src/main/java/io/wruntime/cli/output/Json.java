package io.wruntime.cli.output;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.UncheckedIOException;

/**
 * The CLI's JSON: protobuf messages in the proto3 JSON mapping (lowerCamelCase names, every field
 * printed, 64-bit integers as strings, timestamps as RFC 3339), and documents of its own built as
 * Jackson trees. Both print the same way: two-space indent, {@code "name": value}.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DefaultPrettyPrinter PRETTY =
      new DefaultPrettyPrinter(
              Separators.createDefaultInstance()
                  .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                  .withObjectEmptySeparator("")
                  .withArrayEmptySeparator(""))
          .withObjectIndenter(new DefaultIndenter("  ", "\n"))
          .withArrayIndenter(new DefaultIndenter("  ", "\n"));
  private static final JsonFormat.Printer PROTO =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

  private Json() {}

  /** A new, empty JSON object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A protobuf message as a JSON tree, every field included. */
  public static JsonNode tree(MessageOrBuilder message) {
    requireNonNull(message, "message");
    try {
      return MAPPER.readTree(PROTO.print(message));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getName(), e);
    }
  }

  /**
   * Parses JSON text into a tree.
   *
   * @throws JsonProcessingException when the text is not JSON
   */
  public static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /** The tree as indented text, without a trailing newline. */
  public static String print(JsonNode node) {
    requireNonNull(node, "node");
    try {
      return MAPPER.writer(PRETTY).writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A protobuf message as indented JSON text, every field included. */
  public static String print(MessageOrBuilder message) {
    return print(tree(message));
  }
}
