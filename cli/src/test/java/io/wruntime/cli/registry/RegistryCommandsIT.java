package io.wruntime.cli.registry;

import static io.wruntime.cli.TestManager.exampleSchema;
import static io.wruntime.cli.TestManager.ref;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.cli.CliRun;
import io.wruntime.cli.TestManager;
import io.wruntime.cli.WrCli;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code engines}, {@code services} and {@code routes} against a real manager with two engines: e1
 * runs example.echo and is healthy, e2 runs example.caller and has not sent a heartbeat.
 */
class RegistryCommandsIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final ModuleRef CALLER = ref("example", "caller", "1.0.0");

  private final ObjectMapper mapper = new ObjectMapper();
  private TestManager manager;

  @BeforeEach
  void start() throws Exception {
    manager = TestManager.start();
    manager.register("e1", "node-a", "http://127.0.0.1:9100", ECHO, exampleSchema("echo"));
    manager.healthy("e1", ECHO);
    manager.register("e2", "node-b", "http://127.0.0.1:9200", CALLER, exampleSchema("caller"));
  }

  @AfterEach
  void stop() throws Exception {
    manager.close();
  }

  private CliRun run(String... args) {
    return CliRun.run(Map.of("WR_MANAGER", manager.address()), args);
  }

  @Test
  void enginesListPrintsOneAlignedLinePerEngine() {
    CliRun run = run("engines", "list");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            ENGINE  NODE    ADDRESS                HEALTHY  MODULES               LAST HEARTBEAT
            e1      node-a  http://127.0.0.1:9100  yes      example.echo@1.0.0    2025-01-01T00:00:00Z
            e2      node-b  http://127.0.0.1:9200  no       example.caller@1.0.0  -
            """);
  }

  @Test
  void enginesListAsJsonIsTheListEnginesResponse() throws Exception {
    CliRun run = run("engines", "list", "--output", "json");

    assertThat(run.exitCode()).isZero();
    JsonNode engines = mapper.readTree(run.out()).get("engines");
    assertThat(engines).hasSize(2);
    assertThat(engines.get(0).get("engineId").asText()).isEqualTo("e1");
    assertThat(engines.get(0).get("healthy").asBoolean()).isTrue();
    assertThat(engines.get(1).get("healthy").asBoolean()).isFalse();
    assertThat(engines.get(1).get("modules").get(0).get("ref").get("name").asText())
        .isEqualTo("caller");
  }

  @Test
  void globalOptionsWorkBeforeTheCommandToo() throws Exception {
    CliRun run = CliRun.run("--manager", manager.address(), "-o", "json", "engines", "list");

    assertThat(run.exitCode()).isZero();
    assertThat(mapper.readTree(run.out()).get("engines")).hasSize(2);
  }

  @Test
  void managerOptionWinsOverTheEnvironment() {
    CliRun run =
        CliRun.run(
            Map.of("WR_MANAGER", CliRun.unusedAddress()),
            "engines",
            "list",
            "--manager",
            manager.address());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("ENGINE");
  }

  @Test
  void enginesGetShowsTheEngineAndItsModules() {
    CliRun run = run("engines", "get", "e1");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith(
            """
            engine:          e1
            node:            node-a (proxy 10.0.0.1:9443)
            address:         http://127.0.0.1:9100
            healthy:         yes
            registered:      2025-01-01T00:00:00Z
            last heartbeat:  2025-01-01T00:00:00Z

            MODULE        VERSION  HEALTHY  SCHEMA  LAST HEARTBEAT        DETAIL
            example.echo  1.0.0    yes      yes     2025-01-01T00:00:00Z  -
            """);
  }

  @Test
  void enginesGetOfAnUnknownEngineFailsWithTheManagersReason() {
    CliRun run = run("engines", "get", "e9");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("wr-cli: engine \"e9\" is not registered").hasLineCount(1);
  }

  @Test
  void servicesListShowsVersionsInstancesAndDefaultVersion() {
    manager
        .stub()
        .upsertRoutingRule(
            UpsertRoutingRuleRequest.newBuilder()
                .setRule(
                    RoutingRule.newBuilder()
                        .setNamespace("example")
                        .setModule("echo")
                        .setDefaultVersion("^1.0"))
                .build());

    CliRun run = run("services", "list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            SERVICE         VERSIONS  HEALTHY INSTANCES  DEFAULT VERSION
            example.caller  1.0.0     0/1                -
            example.echo    1.0.0     1/1                ^1.0
            """);
  }

  @Test
  void servicesListAsJsonIsTheListServicesResponse() throws Exception {
    CliRun run = run("services", "list", "--output", "json");

    JsonNode services = mapper.readTree(run.out()).get("services");
    assertThat(services).hasSize(2);
    assertThat(services.get(1).get("versions").get(0).get("methods").get(0).asText())
        .isEqualTo("/echo.EchoService/Echo");
  }

  @Test
  void servicesGetShowsMethodsAndInstances() {
    CliRun run = run("services", "get", "example.echo");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            service:  example.echo
            rule:     none

            VERSION  SCHEMA  HEALTHY INSTANCES  METHODS
            1.0.0    yes     1/1                /echo.EchoService/Echo

            VERSION  ENGINE  ADDRESS                NODE                    HEALTHY
            1.0.0    e1      http://127.0.0.1:9100  node-a (10.0.0.1:9443)  yes
            """);
  }

  @Test
  void servicesGetNeedsANamespaceAndModule() {
    CliRun run = run("services", "get", "echo");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err()).contains("NS.MODULE: \"echo\" (expected: NAMESPACE.MODULE");
  }

  @Test
  void routesListShowsTheTableVersionAndEveryRoute() {
    CliRun run = run("routes", "list");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .matches(
            """
            routing table version \\d+

            SERVICE         VERSION  HEALTHY  ENGINE  ADDRESS                NODE                    LOCAL
            example.caller  1.0.0    no       e2      http://127.0.0.1:9200  node-b \\(10.0.0.1:9443\\)  no
            example.echo    1.0.0    yes      e1      http://127.0.0.1:9100  node-a \\(10.0.0.1:9443\\)  no
            """);
  }

  @Test
  void routesListAsJsonIsTheRoutingTable() throws Exception {
    CliRun run = run("routes", "list", "--node", "node-a", "--output", "json");

    JsonNode table = mapper.readTree(run.out());
    assertThat(table.get("version").asLong()).isPositive();
    assertThat(table.get("routes")).hasSize(2);
    JsonNode echo =
        table.get("routes").get(0).get("module").get("name").asText().equals("echo")
            ? table.get("routes").get(0)
            : table.get("routes").get(1);
    assertThat(echo.get("local").asBoolean()).isTrue();
    assertThat(echo.get("healthy").asBoolean()).isTrue();
  }

  @Test
  void unreachableManagerIsOneLineAndExitOne() {
    String nowhere = CliRun.unusedAddress();
    CliRun run = CliRun.run(Map.of("WR_MANAGER", nowhere), "services", "list");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo("wr-cli: cannot reach the manager at " + nowhere + ": connection refused\n");
  }
}
