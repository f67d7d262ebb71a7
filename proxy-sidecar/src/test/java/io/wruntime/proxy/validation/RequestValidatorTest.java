package io.wruntime.proxy.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.wruntime.common.names.RpcPath;
import io.wruntime.proxy.LeakRecorder;
import io.wruntime.proxy.routing.Resolution.Rejected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Validation against the echo example's schema, as the examples build compiles it. */
@ExtendWith(LeakRecorder.class)
class RequestValidatorTest {
  private static SchemaIndex echo;

  @BeforeAll
  static void loadSchema() throws Exception {
    String root = System.getProperty("wr.root");
    assertThat(root).as("the wr.root system property (the repository root)").isNotNull();
    echo = SchemaIndex.parse(Files.readAllBytes(Path.of(root, "examples/schemas/echo.binpb")));
  }

  @Test
  void theSchemaListsItsServices() {
    assertThat(echo.serviceNames()).containsExactly("echo.EchoService");
    assertThat(echo.method("echo.EchoService", "Echo").getInputType().getFullName())
        .isEqualTo("echo.EchoRequest");
    assertThat(echo.method("echo.EchoService", "Nope")).isNull();
  }

  @Test
  void rpcPathsAreRecognised() {
    assertThat(RequestValidator.rpcPath("/echo.EchoService/Echo"))
        .isEqualTo(new RpcPath("echo.EchoService", "Echo"));
    assertThat(RequestValidator.rpcPath("/shop.v1.Inventory/GetStock?x=1"))
        .isEqualTo(new RpcPath("shop.v1.Inventory", "GetStock"));
    assertThat(RequestValidator.rpcPath("/__health")).isNull();
    assertThat(RequestValidator.rpcPath("/Echo/Echo")).isNull();
    assertThat(RequestValidator.rpcPath("/a.B/c/d")).isNull();
    assertThat(RequestValidator.rpcPath("/a.B/")).isNull();
  }

  @Test
  void protobufContentTypesAreRecognised() {
    assertThat(RequestValidator.isProtobuf("application/protobuf")).isTrue();
    assertThat(RequestValidator.isProtobuf("Application/X-Protobuf; proto=echo.EchoRequest"))
        .isTrue();
    assertThat(RequestValidator.isProtobuf("application/grpc")).isFalse();
    assertThat(RequestValidator.isProtobuf("application/json")).isFalse();
    assertThat(RequestValidator.isProtobuf(null)).isFalse();
  }

  @Test
  void anUnknownMethodListsTheServicesMethods() {
    Rejected rejected =
        RequestValidator.unknownMethod(
            echo, new RpcPath("echo.EchoService", "Shout"), "example.echo@1.0.0");

    assertThat(rejected)
        .isEqualTo(
            new Rejected(
                404,
                "unknown_method",
                "echo.EchoService of example.echo@1.0.0 has no method Shout (expected one of: Echo)",
                Map.of("methods", List.of("Echo"))));
    assertThat(RequestValidator.unknownMethod(echo, new RpcPath("echo.EchoService", "Echo"), "e"))
        .isNull();
    assertThat(RequestValidator.unknownMethod(echo, new RpcPath("echo.Other", "Echo"), "e").code())
        .isEqualTo("unknown_service");
  }

  @Test
  void aBodyMustParseAsTheInputMessageWhateverItsChunks() {
    MethodDescriptor method = echo.method("echo.EchoService", "Echo");
    CompositeByteBuf chunks = Unpooled.compositeBuffer();
    chunks.addComponent(true, Unpooled.wrappedBuffer(new byte[] {0x0a, 0x02}));
    chunks.addComponent(true, Unpooled.wrappedBuffer(new byte[] {'h', 'i'}));
    ByteBuf truncated = Unpooled.wrappedBuffer(new byte[] {0x0a, 0x05, 'h'});

    assertThat(RequestValidator.body(method, chunks)).isNull();
    assertThat(chunks.readerIndex()).isZero();
    Rejected rejected = RequestValidator.body(method, truncated);
    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.message())
        .startsWith("the body of /echo.EchoService/Echo is not a valid echo.EchoRequest: ")
        .contains("truncated");
    chunks.release();
    truncated.release();
  }

  @Test
  void aSchemaThatIsNotADescriptorSetIsRefused() {
    assertThatThrownBy(() -> SchemaIndex.parse(new byte[] {0x0a, 0x05, 0x01}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the schema is not a FileDescriptorSet: ");
  }

  @Test
  void aSchemaWithAFieldWithoutATypeIsRefused() {
    // Found by SchemaIndexFuzzTest: protobuf-java links such a field into a NullPointerException.
    FileDescriptorSet set =
        FileDescriptorSet.newBuilder()
            .addFile(
                FileDescriptorProto.newBuilder()
                    .setName("bad.proto")
                    .setPackage("bad")
                    .addMessageType(
                        DescriptorProto.newBuilder()
                            .setName("M")
                            .addField(FieldDescriptorProto.newBuilder().setName("f").setNumber(1))))
            .build();
    assertThatThrownBy(() -> SchemaIndex.parse(set.toByteArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the schema's bad.proto is invalid: ");
  }
}
