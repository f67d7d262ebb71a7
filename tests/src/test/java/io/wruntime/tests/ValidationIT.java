package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy checks protobuf requests against the schema the engine registered for echo
 * (examples/schemas/echo.binpb) before anything reaches the module.
 */
class ValidationIT {
  private static final Module ECHO = Module.echo("1.0.0");

  private static final LocalCluster cluster = new LocalCluster("ValidationIT");
  private static Proxy proxy;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    Engine engine = cluster.startEngine("engine-a", proxy, ECHO);
    cluster.awaitHealthy(List.of(engine), List.of(ECHO), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return LocalCluster.HTTP.send(
        proxy
            .request("http://example.echo" + path)
            .header("content-type", "application/protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aValidEchoRequestGoesThrough() throws Exception {
    byte[] hello = {0x0a, 0x05, 'h', 'e', 'l', 'l', 'o'};

    HttpResponse<String> response = post("/echo.EchoService/Echo", hello);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("\n\u0005hello");
  }

  @Test
  void aBodyThatIsNotAnEchoRequestIs400NamingTheType() throws Exception {
    // Field 1, length-delimited, declares 16 bytes but carries 3.
    byte[] truncated = {0x0a, 0x10, 'a', 'b', 'c'};

    HttpResponse<String> response = post("/echo.EchoService/Echo", truncated);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body())
        .contains("\"code\":\"invalid_body\"")
        .contains("echo.EchoRequest")
        .contains("/echo.EchoService/Echo");
  }

  @Test
  void anUnknownMethodIs404ListingTheServiceMethods() throws Exception {
    HttpResponse<String> response = post("/echo.EchoService/Nope", new byte[] {0x0a, 0x01, 'a'});

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body())
        .contains("\"code\":\"unknown_method\"")
        .contains("Nope")
        .contains("\"methods\":[\"Echo\"]");
  }
}
