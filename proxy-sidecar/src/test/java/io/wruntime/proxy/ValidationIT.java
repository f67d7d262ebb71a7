package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Protobuf requests checked against the echo module's schema, fetched from the manager. */
@ExtendWith(LeakRecorder.class)
class ValidationIT {
  /** EchoRequest{message: "hi"}. */
  private static final byte[] VALID = {0x0a, 0x02, 'h', 'i'};

  private static final byte[] GARBAGE = "not protobuf".getBytes(StandardCharsets.US_ASCII);

  private Mesh mesh;
  private FakeEngine engine;

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
    engine = mesh.engine();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  private Proxy proxyWithEcho(String extra) throws Exception {
    Proxy proxy = mesh.proxy("node-a", extra);
    mesh.register("e1", engine, proxy, Mesh.echoSchema(), ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    return proxy;
  }

  private HttpResponse<String> post(Proxy proxy, String path, String type, byte[] body)
      throws Exception {
    return mesh.send(
        mesh.call(proxy, "http://example.echo", path)
            .header("content-type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  @Test
  void aValidRequestIsForwardedWhole() throws Exception {
    Proxy proxy = proxyWithEcho("");

    HttpResponse<String> response =
        post(proxy, "/echo.EchoService/Echo", "application/protobuf", VALID);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(VALID);
    assertThat(engine.next().headers().get("content-type")).isEqualTo("application/protobuf");
    assertThat(proxy.bufferedBytes().current()).isZero();
  }

  @Test
  void anUnparseableBodyIsRefusedNamingTheMessageType() throws Exception {
    Proxy proxy = proxyWithEcho("");

    HttpResponse<String> response =
        post(proxy, "/echo.EchoService/Echo", "application/x-protobuf", GARBAGE);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .contains("\"code\":\"invalid_body\"")
        .contains("the body of /echo.EchoService/Echo is not a valid echo.EchoRequest: ")
        .contains("\"message_type\":\"echo.EchoRequest\"");
    assertThat(engine.requests).isEmpty();
    assertThat(proxy.bufferedBytes().current()).isZero();
  }

  @Test
  void anUnknownMethodIsRefusedListingTheServicesMethods() throws Exception {
    Proxy proxy = proxyWithEcho("");

    HttpResponse<String> method =
        post(proxy, "/echo.EchoService/Shout", "application/protobuf", VALID);
    HttpResponse<String> service = post(proxy, "/echo.Other/Echo", "application/protobuf", VALID);

    assertThat(method.statusCode()).isEqualTo(404);
    assertThat(method.body())
        .contains("\"code\":\"unknown_method\"")
        .contains(
            "echo.EchoService of example.echo@1.0.0 has no method Shout (expected one of: Echo)")
        .contains("\"methods\":[\"Echo\"]");
    assertThat(service.statusCode()).isEqualTo(404);
    assertThat(service.body())
        .contains("\"code\":\"unknown_service\"")
        .contains("\"services\":[\"echo.EchoService\"]");
    assertThat(engine.requests).isEmpty();

    // The connection survives the refusals: the next call on it goes through.
    assertThat(post(proxy, "/echo.EchoService/Echo", "application/protobuf", VALID).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413WhetherDeclaredOrStreamed() throws Exception {
    Proxy proxy = proxyWithEcho("[validation]\nmax_body_bytes = 1024\n");
    byte[] big = new byte[4096];

    HttpResponse<String> declared =
        post(proxy, "/echo.EchoService/Echo", "application/protobuf", big);
    HttpResponse<String> streamed =
        mesh.send(
            mesh.call(proxy, "http://example.echo", "/echo.EchoService/Echo")
                .header("content-type", "application/protobuf")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build());

    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body())
        .contains("\"code\":\"body_too_large\"")
        .contains("has 4096 bytes (expected: at most max_body_bytes = 1024");
    assertThat(streamed.statusCode()).isEqualTo(413);
    assertThat(streamed.body()).contains("has more than 1024 bytes");
    assertThat(engine.requests).isEmpty();
    assertThat(proxy.bufferedBytes().current()).isZero();
  }

  @Test
  void otherContentTypesAndModeOffStreamThroughUnchecked() throws Exception {
    Proxy enforcing = proxyWithEcho("");
    Proxy off = mesh.proxy("node-a", "[validation]\nmode = \"off\"\n");

    HttpResponse<String> json =
        post(enforcing, "/echo.EchoService/Echo", "application/json", GARBAGE);
    HttpResponse<String> unchecked =
        post(off, "/echo.EchoService/Shout", "application/protobuf", GARBAGE);

    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(unchecked.statusCode()).isEqualTo(200);
    assertThat(unchecked.body()).isEqualTo("not protobuf");
    assertThat(engine.requests).hasSize(2);
  }

  @Test
  void aModuleWithoutSchemaIsNotChecked() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    mesh.register("e2", engine, proxy, null, ref("example", "raw", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "raw", 1);

    HttpResponse<String> response =
        mesh.send(
            mesh.call(proxy, "http://example.raw", "/raw.Raw/Put")
                .header("content-type", "application/protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(GARBAGE))
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
  }
}
