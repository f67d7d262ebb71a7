package io.wruntime.proxy.validation;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wruntime.common.names.RpcPath;
import io.wruntime.proxy.routing.Resolution.Rejected;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Request validation against the example {@code echo} schema on fuzzed content types, request
 * targets and bodies: every request is accepted or rejected with a 404 (unknown service or method)
 * or 400 (invalid body) naming what was expected; no exception escapes, and the body is left
 * unread. A body the fast wire walk accepts also parses.
 */
class RequestValidatorFuzzTest {
  private static SchemaIndex echo;

  @BeforeAll
  static void readSchema() throws IOException {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    echo = SchemaIndex.parse(Files.readAllBytes(root.resolve("examples/schemas/echo.binpb")));
  }

  @FuzzTest
  void validate(FuzzedDataProvider data) {
    RequestValidator.isProtobuf(data.consumeString(60));
    String target =
        data.consumeBoolean()
            ? "/echo.EchoService/Echo" + data.consumeString(8)
            : data.consumeString(80);
    RpcPath path = RequestValidator.rpcPath(target);
    if (path == null) {
      return;
    }
    Rejected unknown = RequestValidator.unknownMethod(echo, path, "example.echo@1.0.0");
    if (unknown != null) {
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.message()).contains("expected one of");
      return;
    }
    MethodDescriptor method = echo.method(path.service(), path.method());
    assertThat(method).isNotNull();
    byte[] bytes = data.consumeRemainingAsBytes();
    if (WireCheck.parses(method.getInputType(), CodedInputStream.newInstance(bytes))) {
      // The fast walk may only accept what the parser accepts.
      assertThatCode(() -> DynamicMessage.parseFrom(method.getInputType(), bytes))
          .doesNotThrowAnyException();
    }
    ByteBuf body = Unpooled.wrappedBuffer(bytes);
    int readable = body.readableBytes();
    Rejected invalid = RequestValidator.body(method, body);
    assertThat(body.readerIndex()).isZero();
    assertThat(body.readableBytes()).isEqualTo(readable);
    if (invalid != null) {
      assertThat(invalid.status()).isEqualTo(400);
      assertThat(invalid.message()).contains("is not a valid echo.EchoRequest");
    }
    body.release();
  }
}
