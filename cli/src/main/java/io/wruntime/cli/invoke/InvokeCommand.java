package io.wruntime.cli.invoke;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.wruntime.cli.CliException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.client.ConnectionFailures;
import io.wruntime.cli.client.Endpoint;
import io.wruntime.cli.client.ManagerClient;
import io.wruntime.cli.options.DurationConverter;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.common.http.WrHeaders;
import io.wruntime.common.names.Names;
import io.wruntime.common.names.VersionRequirement;
import io.wruntime.proto.v1.GetSchemaRequest;
import io.wruntime.proto.v1.GetSchemaResponse;
import io.wruntime.proto.v1.GetServiceRequest;
import io.wruntime.proto.v1.GetServiceResponse;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ServiceInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli invoke}: sends one request to a module through the proxy, as a module's outgoing
 * call would go ({@code x-wr-destination}, {@code x-wr-source}). For a generated RPC path with a
 * JSON {@code --body}, the body is converted to the method's input message with the schema the
 * manager holds, and a protobuf answer is converted back to JSON.
 */
@Command(
    name = "invoke",
    description = {
      "Call a module through the proxy.",
      "",
      "With --body JSON and an RPC path (/pkg.Service/Method) of a module whose schema the manager"
          + " holds, the body is sent as the method's input message (application/protobuf) and a"
          + " protobuf answer is printed as JSON; the call is pinned to the version whose schema"
          + " was used. Otherwise the body is sent as given."
    })
public final class InvokeCommand implements Callable<Integer> {
  /** {@code x-wr-source} unless {@code --source} says otherwise. */
  public static final String DEFAULT_SOURCE = "cli.wr-cli";

  static final String PROTOBUF = "application/protobuf";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH");

  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> CLIENT_HEADERS =
      Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = {"-d", "--destination"},
      required = true,
      paramLabel = "URL",
      description = "Where the request goes, e.g. http://example.echo/echo.EchoService/Echo.")
  String destination;

  @ArgGroup(exclusive = true)
  Body body;

  /** The request body: JSON to convert, or data to send as is. */
  static final class Body {
    @Option(
        names = "--body",
        paramLabel = "JSON",
        description =
            "JSON body (@FILE reads a file): converted to protobuf for an RPC path with a schema,"
                + " else sent as application/json.")
    String json;

    @Option(
        names = "--data",
        paramLabel = "DATA",
        description =
            "Raw body sent as is (application/octet-stream): text, @FILE for a file's bytes, @-"
                + " for stdin.")
    String data;
  }

  @Option(
      names = {"-X", "--method"},
      paramLabel = "METHOD",
      defaultValue = "POST",
      description = "HTTP method (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(
      names = "--version",
      paramLabel = "REQ",
      description =
          "Version requirement of the destination (x-wr-version), e.g. ^1.2 or 1.0.0; default:"
              + " the service's default version, else any healthy version.")
  String version;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "NAME=VALUE",
      description = "Extra request header, repeatable; NAME: VALUE works too.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--source",
      paramLabel = "NS.MODULE",
      defaultValue = DEFAULT_SOURCE,
      description = "Caller named in x-wr-source (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to wait for the response (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    WrCli cli = WrCli.of(spec);
    Destination target = destination();
    String sourceNamespace = sourceNamespace();
    Map<String, String> extra = extraHeaders();
    VersionRequirement requirement = requirement();
    String requestMethod = requestMethod();

    String versionHeader = version == null ? null : version.trim();
    String contentType = null;
    byte[] payload = null;
    Conversion conversion = null;
    if (body != null && body.json != null) {
      String json = new String(read(body.json, "--body", false), StandardCharsets.UTF_8);
      Optional<String> rpcPath = target.rpcPath();
      if (!extra.containsKey("content-type") && target.isModule() && rpcPath.isPresent()) {
        conversion = conversion(cli, target, rpcPath.get(), requirement);
      }
      if (conversion != null) {
        payload = conversion.schema().encodeInput(conversion.method(), json);
        contentType = PROTOBUF;
        versionHeader = "=" + conversion.version();
      } else {
        payload = json.getBytes(StandardCharsets.UTF_8);
        contentType = "application/json";
      }
    } else if (body != null && body.data != null) {
      payload = read(body.data, "--data", true);
      contentType = "application/octet-stream";
    }

    Endpoint proxy =
        target.isModule() ? cli.proxy(target.namespace(), target.module()) : cli.proxy();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(proxy + target.pathWithQuery()))
            .timeout(timeout)
            .header(WrHeaders.DESTINATION, target.uri().toString())
            .header(WrHeaders.SOURCE, source)
            .header(WrHeaders.SOURCE_NS, sourceNamespace);
    if (versionHeader != null) {
      request.header(WrHeaders.VERSION, versionHeader);
    }
    if (contentType != null && !extra.containsKey("content-type")) {
      request.header("content-type", contentType);
    }
    extra.forEach(request::header);
    if (payload != null) {
      request.method(requestMethod, HttpRequest.BodyPublishers.ofByteArray(payload));
    } else if (METHODS_WITH_BODY.contains(requestMethod)) {
      request.method(requestMethod, HttpRequest.BodyPublishers.ofByteArray(new byte[0]));
    } else {
      request.method(requestMethod, HttpRequest.BodyPublishers.noBody());
    }

    HttpResponse<byte[]> response = send(proxy, target, request.build());
    Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach((name, values) -> responseHeaders.put(name.toLowerCase(Locale.ROOT), values));
    ResponseOutput output =
        new ResponseOutput(response.statusCode(), responseHeaders, response.body(), conversion);
    return print(cli, target, output);
  }

  private int print(WrCli cli, Destination target, ResponseOutput output) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (cli.output() == OutputFormat.JSON) {
        out.println(Json.print(output.json()));
        if (!output.successful()) {
          err.println("wr-cli: " + target + " answered " + output.status());
        }
      } else if (output.successful()) {
        output.printText(out, err);
      } else {
        String text = output.errorText();
        err.println(
            "wr-cli: " + target + " answered " + output.status() + (text.isEmpty() ? "" : ":"));
        if (!text.isEmpty()) {
          err.println(text);
        }
      }
    } finally {
      out.flush();
      err.flush();
    }
    return output.successful() ? 0 : WrCli.EXIT_FAILURE;
  }

  private HttpResponse<byte[]> send(Endpoint proxy, Destination target, HttpRequest request) {
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()) {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException e) {
      throw new CliException("cannot reach the proxy at " + proxy + ": connection timed out", e);
    } catch (HttpTimeoutException e) {
      throw new CliException(
          "no response from "
              + target
              + " through the proxy at "
              + proxy
              + " within "
              + DurationConverter.format(timeout)
              + " (expected: a longer --timeout, or a module that answers)",
          e);
    } catch (IOException e) {
      String reason = ConnectionFailures.reason(e);
      if (reason != null) {
        throw new CliException("cannot reach the proxy at " + proxy + ": " + reason, e);
      }
      throw new CliException(
          "the request to the proxy at "
              + proxy
              + " failed: "
              + (e.getMessage() != null ? e.getMessage() : e.toString()),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for " + target, e);
    }
  }

  /**
   * The schema conversion for an RPC call, or null when the manager knows no schema with that
   * method for a version that satisfies the requirement.
   */
  private Conversion conversion(
      WrCli cli, Destination target, String rpcPath, VersionRequirement requirement) {
    try (ManagerClient manager = cli.managerClient()) {
      Optional<ServiceInfo> service =
          manager
              .find(
                  stub ->
                      stub.getService(
                          GetServiceRequest.newBuilder()
                              .setNamespace(target.namespace())
                              .setName(target.module())
                              .build()))
              .map(GetServiceResponse::getService);
      if (service.isEmpty()) {
        return null;
      }
      VersionRequirement wanted = requirement != null ? requirement : ruleDefault(service.get());
      Optional<String> chosen = SchemaVersions.choose(service.get(), wanted, rpcPath);
      if (chosen.isEmpty()) {
        return null;
      }
      ModuleRef ref =
          ModuleRef.newBuilder()
              .setNamespace(target.namespace())
              .setName(target.module())
              .setVersion(chosen.get())
              .build();
      Optional<GetSchemaResponse> schema =
          manager.find(
              stub -> stub.getSchema(GetSchemaRequest.newBuilder().setModule(ref).build()));
      if (schema.isEmpty()) {
        return null;
      }
      RpcSchema rpc =
          RpcSchema.parse(
              schema.get().getFileDescriptorSet(),
              target.namespace() + "." + target.module() + "@" + chosen.get());
      Optional<MethodDescriptor> method = rpc.method(rpcPath);
      return method.map(m -> new Conversion(rpc, m, chosen.get())).orElse(null);
    }
  }

  /** The default version of the service's routing rule, when it has a valid one. */
  private static VersionRequirement ruleDefault(ServiceInfo service) {
    if (!service.hasRule() || service.getRule().getDefaultVersion().isBlank()) {
      return null;
    }
    try {
      return VersionRequirement.parse(service.getRule().getDefaultVersion());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Destination destination() {
    try {
      return Destination.parse(destination);
    } catch (IllegalArgumentException e) {
      throw usage("--destination: " + e.getMessage());
    }
  }

  /** Checks {@code --source} and returns its namespace (for {@code x-wr-source-ns}). */
  private String sourceNamespace() {
    int dot = source.indexOf('.');
    String namespace = dot < 0 ? "" : source.substring(0, dot);
    String module = dot < 0 ? "" : source.substring(dot + 1);
    if (dot < 0 || !Names.isValid(namespace) || !Names.isValid(module)) {
      throw usage(
          "--source: \"" + source + "\" (expected: NAMESPACE.MODULE, e.g. " + DEFAULT_SOURCE + ")");
    }
    return namespace;
  }

  private VersionRequirement requirement() {
    if (version == null) {
      return null;
    }
    try {
      return VersionRequirement.parse(version);
    } catch (IllegalArgumentException e) {
      throw usage("--version: " + e.getMessage());
    }
  }

  private String requestMethod() {
    String upper = method.trim().toUpperCase(Locale.ROOT);
    if (!TOKEN.matcher(upper).matches()) {
      throw usage("--method: \"" + method + "\" (expected: an HTTP method such as POST or GET)");
    }
    return upper;
  }

  /** {@code --header} values by lowercase name; the last one wins for a repeated name. */
  private Map<String, String> extraHeaders() {
    Map<String, String> result = new LinkedHashMap<>();
    for (String header : headers) {
      int equals = header.indexOf('=');
      int colon = header.indexOf(':');
      int split = colon >= 0 && (equals < 0 || colon < equals) ? colon : equals;
      String name = split < 0 ? "" : header.substring(0, split).trim().toLowerCase(Locale.ROOT);
      if (split < 0 || !TOKEN.matcher(name).matches()) {
        throw usage("--header: \"" + header + "\" (expected: NAME=VALUE or NAME: VALUE)");
      }
      switch (name) {
        case WrHeaders.DESTINATION -> throw usage("--header: use --destination to set " + name);
        case WrHeaders.VERSION -> throw usage("--header: use --version to set " + name);
        case WrHeaders.SOURCE, WrHeaders.SOURCE_NS ->
            throw usage("--header: use --source to set " + name);
        default -> {
          if (CLIENT_HEADERS.contains(name)) {
            throw usage("--header: " + name + " is set by wr-cli (expected: another header)");
          }
        }
      }
      result.put(name, header.substring(split + 1).trim());
    }
    return result;
  }

  /** An option's value, or the bytes of the file it names with {@code @FILE}. */
  private byte[] read(String value, String option, boolean stdin) {
    if (!value.startsWith("@")) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    String name = value.substring(1);
    try {
      if (stdin && name.equals("-")) {
        return System.in.readAllBytes();
      }
      return Files.readAllBytes(Path.of(name));
    } catch (NoSuchFileException e) {
      throw new CliException(option + " " + value + ": no such file");
    } catch (IOException e) {
      throw new CliException(option + " " + value + ": cannot read: " + e.getMessage(), e);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
