package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetEngineRequest;
import io.wruntime.proto.v1.ModuleStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wr-cli engines get ID}: one engine and the health of each of its modules (GetEngine). */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Show one engine and the health of each of its modules.")
public final class EnginesGetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "Engine id, as engines list shows it.")
  String engineId;

  @Override
  public Integer call() {
    WrCli cli = WrCli.of(spec);
    EngineInfo engine;
    try (ManagerClient manager = cli.managerClient()) {
      engine =
          manager
              .call(
                  stub ->
                      stub.getEngine(GetEngineRequest.newBuilder().setEngineId(engineId).build()))
              .getEngine();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(engine));
      out.flush();
      return 0;
    }
    String node = engine.getNode().getName();
    if (!engine.getNode().getProxyAddress().isEmpty()) {
      node += " (proxy " + engine.getNode().getProxyAddress() + ")";
    }
    out.println("engine:          " + engine.getEngineId());
    out.println("node:            " + node);
    out.println("address:         " + engine.getEngineAddress());
    out.println("healthy:         " + EnginesListCommand.health(engine));
    out.println(
        "registered:      "
            + orDash(RegistryText.time(engine.hasRegisteredAt(), engine.getRegisteredAt())));
    out.println(
        "last heartbeat:  "
            + orDash(RegistryText.time(engine.hasLastHeartbeat(), engine.getLastHeartbeat())));
    if (engine.getModulesCount() == 0) {
      out.println("modules:         none");
    } else {
      out.println();
      Table table = new Table("MODULE", "VERSION", "HEALTHY", "SCHEMA", "LAST HEARTBEAT", "DETAIL");
      for (ModuleStatus module : engine.getModulesList()) {
        table.row(
            RegistryText.service(module.getRef()),
            module.getRef().getVersion(),
            RegistryText.yesNo(module.getHealthy()),
            RegistryText.yesNo(module.getHasSchema()),
            RegistryText.time(module.hasLastHeartbeat(), module.getLastHeartbeat()),
            module.getDetail());
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }

  private static String orDash(String text) {
    return text == null ? "-" : text;
  }
}
