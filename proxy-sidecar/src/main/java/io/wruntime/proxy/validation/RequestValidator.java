package io.wruntime.proxy.validation;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.wruntime.common.names.RpcPath;
import io.wruntime.proxy.routing.Resolution.Rejected;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks protobuf requests against the destination's schema: the path must name a method of the
 * schema, and the body must parse as that method's input message.
 */
public final class RequestValidator {
  private RequestValidator() {}

  /** Whether a {@code content-type} is protobuf ({@code application/protobuf} or {@code x-}). */
  public static boolean isProtobuf(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    return type.equals("application/protobuf") || type.equals("application/x-protobuf");
  }

  /**
   * The RPC path of a request target, or null when it is not one ({@link RpcPath#parse}: the query
   * is ignored).
   */
  public static RpcPath rpcPath(String pathAndQuery) {
    return RpcPath.parse(pathAndQuery).orElse(null);
  }

  /**
   * Null when {@code path} names a method of {@code schema}, else a 404 rejection that lists what
   * exists: the service's methods ({@code unknown_method}) or the schema's services ({@code
   * unknown_service}).
   *
   * @param module {@code namespace.module@version}, for the message
   */
  public static Rejected unknownMethod(SchemaIndex schema, RpcPath path, String module) {
    ServiceDescriptor service = schema.service(path.service());
    if (service == null) {
      List<String> services = schema.serviceNames();
      return new Rejected(
          404,
          "unknown_service",
          module
              + " has no service "
              + path.service()
              + " (expected one of: "
              + String.join(", ", services)
              + ")",
          Map.of("services", services));
    }
    if (service.findMethodByName(path.method()) != null) {
      return null;
    }
    List<String> methods = service.getMethods().stream().map(MethodDescriptor::getName).toList();
    return new Rejected(
        404,
        "unknown_method",
        service.getFullName()
            + " of "
            + module
            + " has no method "
            + path.method()
            + " (expected one of: "
            + String.join(", ", methods)
            + ")",
        Map.of("methods", methods));
  }

  /**
   * Null when {@code body} parses as {@code method}'s input message, else a 400 rejection naming
   * the message type and the parser's error. The body's reader index is left as it was.
   */
  public static Rejected body(MethodDescriptor method, ByteBuf body) {
    requireNonNull(method, "method");
    requireNonNull(body, "body");
    String type = method.getInputType().getFullName();
    try {
      // Over the buffer's own memory (one NIO view, or a merged copy for a composite body); a
      // stream would allocate its own 4 KiB buffer for every request.
      ByteBuffer bytes = body.nioBuffer(body.readerIndex(), body.readableBytes());
      // The walk builds nothing; the parser judges what the walk is unsure of, so a rejection
      // always carries the parser's own error.
      if (WireCheck.parses(
          method.getInputType(), CodedInputStream.newInstance(bytes.duplicate()))) {
        return null;
      }
      DynamicMessage.parseFrom(method.getInputType(), CodedInputStream.newInstance(bytes));
      return null;
    } catch (InvalidProtocolBufferException e) {
      return new Rejected(
          400,
          "invalid_body",
          "the body of /"
              + method.getService().getFullName()
              + "/"
              + method.getName()
              + " is not a valid "
              + type
              + ": "
              + e.getMessage(),
          Map.of("message_type", type));
    } catch (IOException e) {
      throw new IllegalStateException("reading a buffer in memory failed", e);
    }
  }
}
