package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.proto.v1.GetServiceRequest;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wr-cli services get NS.MODULE}: versions, methods, instances and rule (GetService). */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Show one service: its versions, RPC methods, instances and routing rule.")
public final class ServicesGetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NS.MODULE", description = "The service, e.g. example.echo.")
  String name;

  @Override
  public Integer call() {
    String[] parts;
    try {
      parts = RegistryText.serviceName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "NS.MODULE: " + e.getMessage());
    }
    WrCli cli = WrCli.of(spec);
    ServiceInfo service;
    try (ManagerClient manager = cli.managerClient()) {
      service =
          manager
              .call(
                  stub ->
                      stub.getService(
                          GetServiceRequest.newBuilder()
                              .setNamespace(parts[0])
                              .setName(parts[1])
                              .build()))
              .getService();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(service));
      out.flush();
      return 0;
    }
    out.println("service:  " + service.getNamespace() + "." + service.getName());
    out.println("rule:     " + rule(service));
    out.println();
    Table versions = new Table("VERSION", "SCHEMA", "HEALTHY INSTANCES", "METHODS");
    Table instances = new Table("VERSION", "ENGINE", "ADDRESS", "NODE", "HEALTHY");
    for (ServiceVersion version : service.getVersionsList()) {
      versions.row(
          version.getVersion(),
          RegistryText.yesNo(version.getHasSchema()),
          RegistryText.instances(version.getHealthyInstances(), version.getInstancesCount()),
          String.join(",", version.getMethodsList()));
      for (Route route : version.getInstancesList()) {
        instances.row(
            version.getVersion(),
            route.getEngineId(),
            route.getAddress(),
            RegistryText.node(route),
            RegistryText.yesNo(route.getHealthy()));
      }
    }
    versions.print(out);
    if (!instances.isEmpty()) {
      out.println();
      instances.print(out);
    }
    out.flush();
    return 0;
  }

  private static String rule(ServiceInfo service) {
    if (!service.hasRule()) {
      return "none";
    }
    RoutingRule rule = service.getRule();
    StringBuilder text = new StringBuilder();
    text.append("default version ")
        .append(rule.getDefaultVersion().isEmpty() ? "none" : rule.getDefaultVersion());
    if (rule.getRoutesCount() > 0) {
      text.append(", ").append(rule.getRoutesCount()).append(" static route(s)");
    }
    String updated = RegistryText.time(rule.hasUpdatedAt(), rule.getUpdatedAt());
    if (updated != null) {
      text.append(" (updated ").append(updated).append(')');
    }
    return text.toString();
  }
}
