package io.wruntime.cli.modules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.wruntime.cli.CliException;
import io.wruntime.cli.UsageException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.kube.KubeSession;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.cli.output.Table;
import io.wruntime.crds.v1alpha1.WasmModule;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli modules list}: the WasmModules of a namespace, as {@code kubectl get wm} shows
 * them, joined with the manager's routing table (GetRoutingTable): healthy and total routes of each
 * module's version, and why it is not Ready.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "List WasmModules (needs --kube) with their healthy/total routes at the manager and, when"
          + " not Ready, the reason.",
      "",
      "Default namespace: the kubeconfig context's, as kubectl's."
    })
public final class ModulesListCommand implements Callable<Integer> {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The clock AGE is measured against; tests replace it. */
  static Clock clock = Clock.systemUTC();

  @Spec CommandSpec spec;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "Kubernetes namespace of the WasmModules (default: the context's).")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "WasmModules of every namespace.")
  boolean allNamespaces;

  @Override
  public Integer call() {
    WrCli cli = WrCli.of(spec);
    if (namespace != null && allNamespaces) {
      throw new ParameterException(
          spec.commandLine(), "-n/--namespace and -A/--all-namespaces exclude each other");
    }
    if (!cli.kubeEnabled()) {
      throw new UsageException(
          "modules list needs the cluster: it reads WasmModules from the Kubernetes API"
              + " (expected: --kube or WR_KUBE=1, with a kubeconfig context for the cluster)");
    }
    KubeSession kube = cli.kube();
    String where = allNamespaces ? null : namespace != null ? namespace : kube.contextNamespace();
    List<WasmModule> modules = list(kube, where);
    RoutingTable table;
    try (ManagerClient manager = cli.managerClient()) {
      table =
          manager
              .call(stub -> stub.getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
              .getTable();
    }
    List<ModuleRow> rows = ModuleRow.join(modules, table);
    PrintWriter out = spec.commandLine().getOut();
    if (cli.output() == OutputFormat.JSON) {
      out.println(Json.print(json(rows)));
    } else if (rows.isEmpty()) {
      out.println(
          where == null
              ? "no WasmModules in any namespace"
              : "no WasmModules in namespace " + where);
    } else {
      Instant now = clock.instant();
      Table text =
          new Table(
              "NAMESPACE",
              "NAME",
              "MODULE",
              "VERSION",
              "READY",
              "STATUS",
              "ROUTES",
              "AGE",
              "MESSAGE");
      for (ModuleRow row : rows) {
        text.row(
            row.namespace(),
            row.name(),
            row.module(),
            row.version(),
            row.ready(),
            row.state(),
            row.healthyRoutes() + "/" + row.routes().size(),
            age(row, now),
            row.message());
      }
      text.print(out);
    }
    out.flush();
    return 0;
  }

  private static List<WasmModule> list(KubeSession kube, String where) {
    String what =
        "list WasmModules " + (where == null ? "in every namespace" : "in namespace " + where);
    try {
      var resources = kube.client().resources(WasmModule.class);
      return (where == null ? resources.inAnyNamespace() : resources.inNamespace(where))
          .list()
          .getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        throw new CliException(
            "cannot "
                + what
                + ": the API server does not serve wasmmodules.wruntime.io (expected: the"
                + " WasmModule CRD installed, e.g. by helm install wruntime helm/wruntime)",
            e);
      }
      throw kube.failure(what, e);
    }
  }

  private static String age(ModuleRow row, Instant now) {
    String created = row.resource().getMetadata().getCreationTimestamp();
    if (created == null) {
      return null;
    }
    try {
      return Age.format(Duration.between(Instant.parse(created), now));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static ObjectNode json(List<ModuleRow> rows) {
    ObjectNode root = Json.object();
    ArrayNode modules = root.putArray("modules");
    for (ModuleRow row : rows) {
      ObjectNode node = modules.addObject();
      node.put("namespace", row.namespace());
      node.put("name", row.name());
      node.put("module", row.module());
      node.put("version", row.version());
      node.put("ready", row.ready());
      node.put("status", row.state());
      node.put("message", row.message());
      node.put("creationTimestamp", row.resource().getMetadata().getCreationTimestamp());
      ObjectNode routes = node.putObject("routes");
      routes.put("healthy", row.healthyRoutes());
      routes.put("total", row.routes().size());
      ArrayNode items = routes.putArray("items");
      for (Route route : row.routes()) {
        items.add(Json.tree(route));
      }
      node.set("wasmModule", resource(row.resource()));
    }
    return root;
  }

  private static JsonNode resource(WasmModule wm) {
    try {
      return Json.parse(SERIALIZATION.asJson(wm));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot print WasmModule " + wm.getMetadata().getName(), e);
    }
  }
}
