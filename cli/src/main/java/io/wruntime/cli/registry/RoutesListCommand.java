package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wr-cli routes list}: every route and rule of the routing table (GetRoutingTable). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "List the routing table: its version, every route with its health, and the rules.")
public final class RoutesListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--node",
      paramLabel = "NODE",
      description = "Mark the routes of this node as local, as that node's proxy sees them.")
  String node;

  @Override
  public Integer call() {
    return print(spec, node);
  }

  /**
   * Fetches the routing table from the manager at {@code --manager} and prints it in the format of
   * {@code --output}; also what {@code dev status} prints.
   *
   * @param spec the running command, for the global options and its writers
   * @param node the node whose routes are marked local, or null for none
   * @return the exit code
   */
  public static int print(CommandSpec spec, String node) {
    WrCli cli = WrCli.of(spec);
    GetRoutingTableRequest.Builder request = GetRoutingTableRequest.newBuilder();
    if (node != null) {
      request.setNode(node);
    }
    RoutingTable table;
    try (ManagerClient manager = cli.managerClient()) {
      table = manager.call(stub -> stub.getRoutingTable(request.build())).getTable();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(table));
      out.flush();
      return 0;
    }
    out.println(
        "routing table version "
            + table.getVersion()
            + (table.getIncomplete()
                ? " (incomplete: the manager started recently and engines are re-registering)"
                : ""));
    if (table.getRoutesCount() == 0) {
      out.println("no routes");
    } else {
      out.println();
      Table routes =
          new Table("SERVICE", "VERSION", "HEALTHY", "ENGINE", "ADDRESS", "NODE", "LOCAL");
      for (Route route : table.getRoutesList()) {
        routes.row(
            RegistryText.service(route.getModule()),
            route.getModule().getVersion(),
            RegistryText.yesNo(route.getHealthy()),
            route.getEngineId(),
            route.getAddress(),
            RegistryText.node(route),
            RegistryText.yesNo(route.getLocal()));
      }
      routes.print(out);
    }
    if (table.getRulesCount() > 0) {
      out.println();
      Table rules = new Table("RULE", "DEFAULT VERSION", "STATIC ROUTES", "UPDATED");
      for (RoutingRule rule : table.getRulesList()) {
        rules.row(
            rule.getNamespace() + "." + rule.getModule(),
            rule.getDefaultVersion(),
            rule.getRoutesCount(),
            RegistryText.time(rule.hasUpdatedAt(), rule.getUpdatedAt()));
      }
      rules.print(out);
    }
    out.flush();
    return 0;
  }
}
