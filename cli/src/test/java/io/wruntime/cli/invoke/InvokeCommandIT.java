package io.wruntime.cli.invoke;

import static io.wruntime.cli.TestManager.exampleSchema;
import static io.wruntime.cli.TestManager.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.cli.CliRun;
import io.wruntime.cli.FakeHttpServer;
import io.wruntime.cli.FakeHttpServer.Request;
import io.wruntime.cli.FakeHttpServer.Response;
import io.wruntime.cli.TestManager;
import io.wruntime.cli.WrCli;
import io.wruntime.proto.v1.ModuleRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wr-cli invoke} against a real manager holding the echo example's schema and a fake proxy
 * that answers like the echo module (the request body back, content-type echoed).
 */
class InvokeCommandIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final String ECHO_URL = "http://example.echo/echo.EchoService/Echo";

  /** EchoRequest{message: "hello"} and EchoResponse{message: "hello"}: field 1, 5 bytes. */
  private static final byte[] HELLO = HexFormat.of().parseHex("0a0568656c6c6f");

  private TestManager manager;
  private FakeHttpServer proxy;

  @BeforeEach
  void start() throws Exception {
    manager = TestManager.start();
    manager.register("e1", "node-a", "http://127.0.0.1:9100", ECHO, exampleSchema("echo"));
    manager.healthy("e1", ECHO);
    proxy =
        FakeHttpServer.start(
            request -> new Response(200, request.header("content-type"), request.body()));
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    manager.close();
  }

  private CliRun invoke(String... args) {
    return CliRun.run(
        Map.of("WR_MANAGER", manager.address(), "WR_PROXY", proxy.address()),
        concat(new String[] {"invoke"}, args));
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private Request onlyRequest() {
    List<Request> requests = proxy.requests();
    assertThat(requests).hasSize(1);
    return requests.getFirst();
  }

  @Test
  void jsonBodyIsSentAsTheMethodsProtobufInputAndTheAnswerPrintedAsJson() throws Exception {
    CliRun run = invoke("--destination", ECHO_URL, "--body", "{\"message\":\"hello\"}");

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    Request request = onlyRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/echo.EchoService/Echo");
    assertThat(request.header("x-wr-destination")).isEqualTo(ECHO_URL);
    assertThat(request.header("content-type")).isEqualTo("application/protobuf");
    assertThat(request.body()).isEqualTo(HELLO);
    assertThat(run.out()).contains("\"message\": \"hello\"");
    assertThat(new ObjectMapper().readTree(run.out()))
        .isEqualTo(new ObjectMapper().readTree("{\"message\":\"hello\"}"));
  }

  @Test
  void callIsPinnedToTheVersionWhoseSchemaEncodedIt() {
    ModuleRef newer = ref("example", "echo", "1.1.0");
    manager.register("e2", "node-a", "http://127.0.0.1:9101", newer, exampleSchema("echo"));
    manager.healthy("e2", newer);

    CliRun run =
        invoke("--destination", ECHO_URL, "--version", "~1.0", "--body", "{\"message\":\"hello\"}");

    assertThat(run.exitCode()).isZero();
    assertThat(onlyRequest().header("x-wr-version")).isEqualTo("=1.0.0");
    run = invoke("--destination", ECHO_URL, "--body", "{\"message\":\"hello\"}");
    assertThat(proxy.requests().get(1).header("x-wr-version")).isEqualTo("=1.1.0");
  }

  @Test
  void callerIsNamedByDefaultAndBySource() {
    invoke("--destination", ECHO_URL, "--data", "x");
    invoke("--destination", ECHO_URL, "--data", "x", "--source", "shop.checkout");

    assertThat(proxy.requests().get(0).header("x-wr-source")).isEqualTo("cli.wr-cli");
    assertThat(proxy.requests().get(0).header("x-wr-source-ns")).isEqualTo("cli");
    assertThat(proxy.requests().get(1).header("x-wr-source")).isEqualTo("shop.checkout");
    assertThat(proxy.requests().get(1).header("x-wr-source-ns")).isEqualTo("shop");
  }

  @Test
  void rawDataIsSentAsIsAndTheAnswerPrintedAsText() {
    CliRun run =
        CliRun.run(
            Map.of("WR_MANAGER", CliRun.unusedAddress(), "WR_PROXY", proxy.address()),
            "invoke",
            "--destination",
            ECHO_URL,
            "--data",
            "plain text",
            "--header",
            "content-type=text/plain");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Request request = onlyRequest();
    assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("plain text");
    assertThat(request.header("content-type")).isEqualTo("text/plain");
    assertThat(request.header("x-wr-version")).isNull();
    assertThat(run.out()).isEqualTo("plain text\n");
  }

  @Test
  void dataFromAFileIsSentByteForByteAndABinaryAnswerPrintedAsBase64(@TempDir Path dir)
      throws Exception {
    byte[] binary = {(byte) 0xff, 0x00, 0x01};
    Path file = dir.resolve("request.bin");
    Files.write(file, binary);

    CliRun run = invoke("--destination", ECHO_URL, "--data", "@" + file);

    assertThat(run.exitCode()).isZero();
    assertThat(onlyRequest().body()).isEqualTo(binary);
    assertThat(onlyRequest().header("content-type")).isEqualTo("application/octet-stream");
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: the response body is 3 bytes of binary data (application/octet-stream),"
                + " printed as base64\n");
    assertThat(run.out()).isEqualTo("/wAB\n");
  }

  @Test
  void missingDataFileFailsNamingIt() {
    CliRun run = invoke("--destination", ECHO_URL, "--data", "@/nonexistent/request.bin");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err()).isEqualTo("wr-cli: --data @/nonexistent/request.bin: no such file\n");
    assertThat(proxy.requests()).isEmpty();
  }

  @Test
  void jsonBodyWithoutASchemaIsSentAsJson() {
    CliRun run =
        invoke("--destination", "http://example.other/echo.EchoService/Echo", "--body", "{}");

    assertThat(run.exitCode()).isZero();
    assertThat(onlyRequest().header("content-type")).isEqualTo("application/json");
    assertThat(onlyRequest().body()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    assertThat(run.out()).isEqualTo("{}\n");
  }

  @Test
  void jsonBodyForAPathOutsideTheSchemaIsSentAsJson() {
    CliRun run = invoke("--destination", "http://example.echo/items/1", "--body", "{\"a\":1}");

    assertThat(run.exitCode()).isZero();
    assertThat(onlyRequest().header("content-type")).isEqualTo("application/json");
    assertThat(onlyRequest().path()).isEqualTo("/items/1");
  }

  @Test
  void jsonThatDoesNotFitTheInputMessageFailsNamingTheType() {
    CliRun run = invoke("--destination", ECHO_URL, "--body", "{\"msg\":\"hello\"}");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: --body: Cannot find field: msg in message echo.EchoRequest (expected: JSON of"
                + " echo.EchoRequest, the input of echo.EchoService.Echo in example.echo@1.0.0)\n");
    assertThat(proxy.requests()).isEmpty();
  }

  @Test
  void jsonOutputHasStatusHeadersAndTheConvertedBody() throws Exception {
    CliRun run =
        invoke("--destination", ECHO_URL, "--body", "{\"message\":\"hello\"}", "--output", "json");

    assertThat(run.exitCode()).isZero();
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(json.get("status").asInt()).isEqualTo(200);
    assertThat(json.get("headers").get("content-type").asText()).isEqualTo("application/protobuf");
    assertThat(json.get("body").get("message").asText()).isEqualTo("hello");
  }

  @Test
  void errorStatusIsPrintedOnStderrWithTheBodyAndFails() throws Exception {
    try (FakeHttpServer failing =
        FakeHttpServer.start(
            request ->
                new Response(
                    503,
                    "application/json",
                    "{\"error\":\"no healthy instance of example.echo\"}"
                        .getBytes(StandardCharsets.UTF_8)))) {
      CliRun run =
          CliRun.run(
              Map.of("WR_MANAGER", manager.address(), "WR_PROXY", failing.address()),
              "invoke",
              "--destination",
              ECHO_URL,
              "--body",
              "{\"message\":\"hello\"}");

      assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
      assertThat(run.out()).isEmpty();
      assertThat(run.err())
          .isEqualTo(
              "wr-cli: "
                  + ECHO_URL
                  + " answered 503:\n{\"error\":\"no healthy instance of example.echo\"}\n");
    }
  }

  @Test
  void unreachableManagerIsOneLineAndExitOne() {
    String nowhere = CliRun.unusedAddress();
    CliRun run =
        CliRun.run(
            Map.of("WR_PROXY", proxy.address()),
            "invoke",
            "--manager",
            nowhere,
            "--destination",
            ECHO_URL,
            "--body",
            "{\"message\":\"hello\"}");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err())
        .isEqualTo("wr-cli: cannot reach the manager at " + nowhere + ": connection refused\n");
    assertThat(proxy.requests()).isEmpty();
  }

  @Test
  void unreachableProxyIsOneLineAndExitOne() {
    String nowhere = CliRun.unusedAddress();
    CliRun run = CliRun.run("invoke", "--proxy", nowhere, "--destination", ECHO_URL, "--data", "x");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err())
        .isEqualTo("wr-cli: cannot reach the proxy at " + nowhere + ": connection refused\n");
  }

  @Test
  void bodyAndDataTogetherAreAUsageError() {
    CliRun run = invoke("--destination", ECHO_URL, "--body", "{}", "--data", "x");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err()).contains("mutually exclusive");
    assertThat(proxy.requests()).isEmpty();
  }

  @Test
  void routingHeadersCannotBeSetAsHeaders() {
    CliRun run = invoke("--destination", ECHO_URL, "--data", "x", "--header", "x-wr-version=^2");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err()).contains("use --version to set x-wr-version");
  }

  @Test
  void malformedDestinationIsAUsageError() {
    CliRun run = invoke("--destination", "http://echo/x", "--data", "x");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err()).contains("--destination: \"http://echo/x\" has a one-label host");
  }
}
