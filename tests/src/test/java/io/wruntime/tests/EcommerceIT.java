package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.tests.LocalCluster.CliResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ecommerce example (examples/ecommerce) as its README runs it: one {@code bin/wr-cli dev up}
 * with the two warehouse configs, so two engines, each with an inventory module in its own
 * namespace on the embedded PostgreSQL; {@code bin/wr-cli invoke} drives them through the proxy.
 *
 * <p>The configs are the example's own, with only their listen addresses moved to port 0; the
 * embedded PostgreSQL keeps its data in a fresh state directory of this run.
 */
class EcommerceIT {
  private static final Pattern SUMMARY =
      Pattern.compile(
          "dev: manager 127\\.0\\.0\\.1:(\\d+), proxy 127\\.0\\.0\\.1:(\\d+), engines:"
              + " warehouse-a\\.inventory@1\\.0\\.0, shop\\.client@1\\.0\\.0 on"
              + " (127\\.0\\.0\\.1:\\d+); warehouse-b\\.inventory@1\\.0\\.0 on"
              + " (127\\.0\\.0\\.1:\\d+)");
  private static final Pattern READY = Pattern.compile("(?m)^dev: ready$");
  private static final String A = "http://warehouse-a.inventory/inventory.InventoryService/";
  private static final String B = "http://warehouse-b.inventory/inventory.InventoryService/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Path dir = ServerProcess.logDirectory("EcommerceIT");
  private static ServerProcess dev;
  private static String manager;
  private static String proxy;
  private static int cliRuns;

  @BeforeAll
  static void devUp() throws Exception {
    Path state = Files.createTempDirectory(dir, "state-");
    Path a = portZero("warehouse-a.toml", "127.0.0.1:9100");
    Path b = portZero("warehouse-b.toml", "127.0.0.1:9101");
    dev =
        ServerProcess.start(
            "wr-cli",
            dir.resolve("dev-up.log"),
            dir.resolve("dev-up.err"),
            Map.of("JAVA_OPTS", "-Xmx512m"),
            List.of(
                "dev",
                "up",
                "--manager-port=0",
                "--proxy-port=0",
                "--control-port=0",
                "--peer-port=0",
                "--ready-timeout=150s",
                "--state-dir=" + state,
                a.toString(),
                b.toString()));
    MatchResult summary = dev.await(SUMMARY, Duration.ofSeconds(180));
    assertThat(summary.group(3)).as("two engines").isNotEqualTo(summary.group(4));
    manager = "http://127.0.0.1:" + summary.group(1);
    proxy = "http://127.0.0.1:" + summary.group(2);
    dev.await(READY, Duration.ofSeconds(180));
  }

  @AfterAll
  static void devDown() throws InterruptedException {
    if (dev != null) {
      dev.stop();
    }
  }

  /** The example's config, but listening on any free port instead of {@code address}. */
  private static Path portZero(String file, String address) throws IOException {
    String toml =
        Files.readString(ServerProcess.root().resolve("examples/ecommerce").resolve(file));
    String listen = "listen_address = \"" + address + "\"";
    assertThat(toml).contains(listen);
    Path copy = dir.resolve(file);
    Files.writeString(copy, toml.replace(listen, "listen_address = \"127.0.0.1:0\""));
    return copy;
  }

  private static CliResult cli(String... args) throws IOException, InterruptedException {
    int run = ++cliRuns;
    List<String> command = new ArrayList<>(List.of("--manager", manager, "--proxy", proxy));
    Collections.addAll(command, args);
    try (ServerProcess cli =
        ServerProcess.start(
            "wr-cli",
            dir.resolve("wr-cli-" + run + ".log"),
            dir.resolve("wr-cli-" + run + ".err"),
            Map.of("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1"),
            command)) {
      int exit = cli.awaitExit(Duration.ofSeconds(60));
      return new CliResult(exit, cli.output(), cli.errorOutput());
    }
  }

  /** Invokes an RPC with a JSON body and returns its JSON answer, failing on any error status. */
  private static JsonNode rpc(String destination, String body) throws Exception {
    CliResult result = cli("invoke", "--destination", destination, "--body", body);
    assertThat(result.exitCode()).as(destination + " " + body + ": " + result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }

  /** Invokes an RPC that must fail, and returns what wr-cli printed on stderr. */
  private static String failingRpc(String destination, String body) throws Exception {
    CliResult result = cli("invoke", "--destination", destination, "--body", body);
    assertThat(result.exitCode()).as(destination + " " + body + ": " + result.stdout()).isOne();
    return result.stderr();
  }

  private static long total(String warehouse) throws Exception {
    return rpc(warehouse + "GetStock", "{}").get("total").asLong();
  }

  @Test
  void buyingUntilOutOfStockEndsInAClearBusinessError() throws Exception {
    JsonNode seeded =
        rpc(
            A + "Seed",
            "{\"items\": [{\"sku\": \"widget\", \"quantity\": 3},"
                + " {\"sku\": \"gadget\", \"quantity\": 1}]}");
    assertThat(seeded.get("warehouse").asText()).isEqualTo("warehouse-a");
    assertThat(seeded.get("total").asLong()).isEqualTo(4);

    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      left.add(rpc(A + "Buy", "{\"sku\": \"widget\", \"quantity\": 1}").get("quantity").asInt());
    }
    assertThat(left).containsExactly(2, 1, 0);

    String refused = failingRpc(A + "Buy", "{\"sku\": \"widget\", \"quantity\": 1}");
    assertThat(refused)
        .contains("answered 409")
        .contains("out of stock: sku widget has 0 in warehouse-a, asked 1")
        .contains("\"code\": \"out_of_stock\"");
    assertThat(failingRpc(A + "Buy", "{\"sku\": \"gizmo\", \"quantity\": 1}"))
        .contains("answered 404")
        .contains("unknown sku gizmo in warehouse-a");
    assertThat(failingRpc(A + "Buy", "{\"sku\": \"gadget\", \"quantity\": 0}"))
        .contains("answered 400")
        .contains("quantity = 0 (expected: 1 to 1000000)");

    JsonNode gadget = rpc(A + "GetStock", "{\"sku\": \"gadget\"}");
    assertThat(gadget.get("items").get(0).get("quantity").asInt()).isEqualTo(1);
    assertThat(total(A)).isEqualTo(1);
  }

  @Test
  void concurrentBuyersNeverTakeMoreThanThereIs() throws Exception {
    rpc(A + "Seed", "{\"items\": [{\"sku\": \"widget\", \"quantity\": 10}]}");
    // inventory.BuyRequest{sku: "widget", quantity: 1}, as a module would send it to the proxy.
    byte[] buyOne = "\n\u0006widget\u0010\u0001".getBytes(StandardCharsets.US_ASCII);
    HttpRequest buy =
        HttpRequest.newBuilder(URI.create(proxy + "/inventory.InventoryService/Buy"))
            .header("x-wr-destination", A + "Buy")
            .header("content-type", "application/protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(buyOne))
            .build();
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<CompletableFuture<HttpResponse<String>>> calls =
          IntStream.range(0, 20)
              .mapToObj(i -> http.sendAsync(buy, BodyHandlers.ofString()))
              .toList();
      Map<Integer, Long> statuses =
          calls.stream()
              .map(CompletableFuture::join)
              .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
      assertThat(statuses).isEqualTo(Map.of(200, 10L, 409, 10L));
    }
    assertThat(total(A)).isZero();
  }

  @Test
  void transferMovesUnitsBetweenTheTwoEnginesAndConservesTheTotal() throws Exception {
    rpc(A + "Seed", "{\"items\": [{\"sku\": \"widget\", \"quantity\": 1}]}");
    rpc(B + "Seed", "{\"items\": [{\"sku\": \"widget\", \"quantity\": 6}]}");
    long before = total(A) + total(B);

    JsonNode moved =
        rpc(B + "Transfer", "{\"sku\": \"widget\", \"quantity\": 4, \"to\": \"warehouse-a\"}");
    assertThat(moved.get("from").get("warehouse").asText()).isEqualTo("warehouse-b");
    assertThat(moved.get("from").get("quantity").asInt()).isEqualTo(2);
    assertThat(moved.get("to").get("warehouse").asText()).isEqualTo("warehouse-a");
    assertThat(moved.get("to").get("quantity").asInt()).isEqualTo(5);

    assertThat(total(A)).isEqualTo(5);
    assertThat(total(B)).isEqualTo(2);
    assertThat(total(A) + total(B)).isEqualTo(before).isEqualTo(7);
  }

  @Test
  void aTransferThatCannotBeDeliveredIsPutBack() throws Exception {
    rpc(B + "Seed", "{\"items\": [{\"sku\": \"gadget\", \"quantity\": 5}]}");

    String failed =
        failingRpc(
            B + "Transfer", "{\"sku\": \"gadget\", \"quantity\": 2, \"to\": \"warehouse-z\"}");
    assertThat(failed)
        .contains("answered 502")
        .contains("transfer of 2 gadget to warehouse-z failed")
        .contains("the units were put back: warehouse-b has 5");
    assertThat(total(B)).isEqualTo(5);

    assertThat(
            failingRpc(
                B + "Transfer", "{\"sku\": \"gadget\", \"quantity\": 2, \"to\": \"warehouse-b\"}"))
        .contains("answered 400")
        .contains("is this warehouse");
    assertThat(total(B)).isEqualTo(5);
  }

  @Test
  void theClientRunsTheScenarioAndFindsTheTotalsConserved() throws Exception {
    JsonNode report = rpc("http://shop.client/client.ClientService/Run", "{}");

    assertThat(report.get("conserved").asBoolean()).as(report.toPrettyString()).isTrue();
    assertThat(report.get("totalBefore").asLong()).isEqualTo(20);
    assertThat(report.get("bought").asLong()).isEqualTo(8);
    assertThat(report.get("returned").asLong()).isEqualTo(1);
    assertThat(report.get("totalAfter").asLong()).isEqualTo(13);
    assertThat(report.get("lines").toString())
        .contains("out of stock: sku widget has 0 in warehouse-a, asked 1");

    CliResult text = cli("invoke", "--destination", "http://shop.client/run", "-X", "GET");
    assertThat(text.exitCode()).as(text.stderr()).isZero();
    assertThat(text.stdout())
        .contains("total before: 20")
        .contains("conserved: 20 before - 8 bought + 1 returned = 13, 13 after");
  }
}
