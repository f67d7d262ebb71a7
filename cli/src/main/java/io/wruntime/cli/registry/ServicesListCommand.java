package io.wruntime.cli.registry;

import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.proto.v1.ListServicesRequest;
import io.wruntime.proto.v1.ListServicesResponse;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wr-cli services list}: one line per service (ListServices). */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List services with their versions, healthy instances and default version.")
public final class ServicesListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "Only services of this namespace.")
  String namespace;

  @Override
  public Integer call() {
    WrCli cli = WrCli.of(spec);
    ListServicesRequest.Builder request = ListServicesRequest.newBuilder();
    if (namespace != null) {
      request.setNamespace(namespace);
    }
    ListServicesResponse response;
    try (ManagerClient manager = cli.managerClient()) {
      response = manager.call(stub -> stub.listServices(request.build()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(response));
    } else if (response.getServicesCount() == 0) {
      out.println("no services registered");
    } else {
      Table table = new Table("SERVICE", "VERSIONS", "HEALTHY INSTANCES", "DEFAULT VERSION");
      for (ServiceInfo service : response.getServicesList()) {
        long healthy = 0;
        long total = 0;
        for (ServiceVersion version : service.getVersionsList()) {
          healthy += version.getHealthyInstances();
          total += version.getInstancesCount();
        }
        table.row(
            service.getNamespace() + "." + service.getName(),
            service.getVersionsList().stream()
                .map(ServiceVersion::getVersion)
                .collect(Collectors.joining(",")),
            RegistryText.instances(healthy, total),
            service.hasRule() ? service.getRule().getDefaultVersion() : null);
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }
}
