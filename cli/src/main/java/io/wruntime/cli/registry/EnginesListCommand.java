package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.ListEnginesRequest;
import io.wruntime.proto.v1.ListEnginesResponse;
import io.wruntime.proto.v1.ModuleStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wr-cli engines list}: one line per engine (ListEngines). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the registered engines with their node, address, health and modules.")
public final class EnginesListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--node", paramLabel = "NODE", description = "Only engines on this node.")
  String node;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "Only engines running a module of this namespace.")
  String namespace;

  @Override
  public Integer call() {
    WrCli cli = WrCli.of(spec);
    ListEnginesRequest.Builder request = ListEnginesRequest.newBuilder();
    if (node != null) {
      request.setNode(node);
    }
    if (namespace != null) {
      request.setNamespace(namespace);
    }
    ListEnginesResponse response;
    try (ManagerClient manager = cli.managerClient()) {
      response = manager.call(stub -> stub.listEngines(request.build()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(response));
    } else if (response.getEnginesCount() == 0) {
      out.println("no engines registered");
    } else {
      Table table = new Table("ENGINE", "NODE", "ADDRESS", "HEALTHY", "MODULES", "LAST HEARTBEAT");
      for (EngineInfo engine : response.getEnginesList()) {
        table.row(
            engine.getEngineId(),
            engine.getNode().getName(),
            engine.getEngineAddress(),
            health(engine),
            engine.getModulesList().stream()
                .map(ModuleStatus::getRef)
                .map(RegistryText::module)
                .collect(Collectors.joining(",")),
            RegistryText.time(engine.hasLastHeartbeat(), engine.getLastHeartbeat()));
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }

  static String health(EngineInfo engine) {
    return engine.getDeregistered() ? "deregistered" : RegistryText.yesNo(engine.getHealthy());
  }
}
