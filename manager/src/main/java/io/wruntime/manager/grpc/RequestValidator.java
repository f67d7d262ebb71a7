package io.wruntime.manager.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wruntime.common.names.Names;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.manager.registry.ModuleKey;
import io.wruntime.manager.registry.Schema;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the shape of requests before they reach the registry. Every failure is INVALID_ARGUMENT
 * with a description "field: value problem (expected: ...)" that names the field by its path in the
 * request, e.g. {@code modules[0].ref.version}.
 */
final class RequestValidator {
  static final int MAX_ENGINE_ID_LENGTH = 253;
  static final int MAX_SECRET_KEY_LENGTH = 128;
  private static final Pattern ENGINE_ID = Pattern.compile("[A-Za-z0-9._:-]+");
  private static final Pattern SECRET_KEY = Pattern.compile("[A-Za-z0-9_.-]+");

  /**
   * A semantic-version requirement: comparators separated by commas or spaces, each an optional
   * operator and a full or partial version ({@code ^1.2}, {@code ~1.4.0}, {@code >=1, <2}, {@code
   * =1.4.0}, {@code 1.x}, {@code *}).
   */
  private static final Pattern REQUIREMENT;

  static {
    String part = "(?:0|[1-9]\\d*|\\*|x|X)";
    String pre =
        "(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
    String comparator = "(?:\\^|~|=|>=|<=|>|<)?\\s*" + part + "(?:\\." + part + "){0,2}" + pre;
    REQUIREMENT = Pattern.compile("\\s*" + comparator + "(?:\\s*,?\\s*" + comparator + ")*\\s*");
  }

  private RequestValidator() {}

  static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  static void registerEngine(RegisterEngineRequest request) {
    engineId("engine_id", request.getEngineId());
    if (request.hasNode() && !request.getNode().getProxyAddress().isEmpty()) {
      address("node.proxy_address", request.getNode().getProxyAddress(), false);
    }
    if (request.getNode().getName().length() > MAX_ENGINE_ID_LENGTH) {
      throw invalid(
          "node.name: has "
              + request.getNode().getName().length()
              + " characters (expected: at most "
              + MAX_ENGINE_ID_LENGTH
              + ")");
    }
    if (request.getEngineAddress().isEmpty()) {
      throw invalid(
          "engine_address: is empty (expected: the engine's HTTP listener as host:port or"
              + " http://host:port, e.g. http://127.0.0.1:9100)");
    }
    address("engine_address", request.getEngineAddress(), true);
    Map<ModuleKey, Integer> seen = new HashMap<>();
    List<ModuleRegistration> modules = request.getModulesList();
    for (int i = 0; i < modules.size(); i++) {
      String field = "modules[" + i + "]";
      ModuleRegistration module = modules.get(i);
      moduleRef(field + ".ref", module.hasRef() ? module.getRef() : null);
      ModuleKey key = ProtoMapping.key(module.getRef());
      Integer first = seen.putIfAbsent(key, i);
      if (first != null) {
        throw invalid(
            field
                + ".ref: "
                + key
                + " is listed twice, also as modules["
                + first
                + "] (expected: each module version once)");
      }
      if (!module.getSchema().isEmpty()) {
        try {
          Schema.parse(module.getSchema());
        } catch (IllegalArgumentException e) {
          throw invalid(field + ".schema: " + e.getMessage());
        }
      }
      List<String> secrets = module.getRequestedSecretsList();
      for (int j = 0; j < secrets.size(); j++) {
        String problem = secretKeyProblem(secrets.get(j), false);
        if (problem != null) {
          throw invalid(field + ".requested_secrets[" + j + "]: " + problem);
        }
      }
    }
  }

  static void heartbeat(HeartbeatRequest request) {
    List<EngineHeartbeat> heartbeats = request.getHeartbeatsList();
    for (int i = 0; i < heartbeats.size(); i++) {
      engineId("heartbeats[" + i + "].engine_id", heartbeats.get(i).getEngineId());
    }
  }

  static void routingRule(RoutingRule rule, boolean present) {
    if (!present) {
      throw invalid("rule: is missing (expected: a rule with namespace and module)");
    }
    name("rule.namespace", rule.getNamespace());
    name("rule.module", rule.getModule());
    String requirement = rule.getDefaultVersion();
    if (!requirement.isEmpty() && !REQUIREMENT.matcher(requirement).matches()) {
      throw invalid(
          "rule.default_version: \""
              + requirement
              + "\" is not a version requirement (expected: e.g. ^1.2, ~1.4.0, =1.4.0, >=1.0.0,"
              + " <2.0.0, or empty for none)");
    }
    List<Route> routes = rule.getRoutesList();
    for (int i = 0; i < routes.size(); i++) {
      String field = "rule.routes[" + i + "]";
      Route route = routes.get(i);
      moduleRef(field + ".module", route.hasModule() ? route.getModule() : null);
      ModuleRef ref = route.getModule();
      if (!ref.getNamespace().equals(rule.getNamespace())
          || !ref.getName().equals(rule.getModule())) {
        throw invalid(
            field
                + ".module: "
                + ProtoMapping.key(ref)
                + " is not a version of "
                + rule.getNamespace()
                + "."
                + rule.getModule()
                + " (expected: the rule's namespace and module)");
      }
      if (!route.getEngineId().isEmpty()) {
        throw invalid(
            field
                + ".engine_id: \""
                + route.getEngineId()
                + "\" (expected: empty; static routes belong to no engine)");
      }
      if (route.getAddress().isEmpty() && route.getNodeAddress().isEmpty()) {
        throw invalid(
            field
                + ": has neither address nor node_address (expected: node_address, the peer"
                + " address of a proxy as host:port, or address with node for a local engine)");
      }
      if (!route.getAddress().isEmpty()) {
        address(field + ".address", route.getAddress(), true);
      }
      if (!route.getNodeAddress().isEmpty()) {
        address(field + ".node_address", route.getNodeAddress(), false);
      }
    }
  }

  static void requiredEngineId(String value) {
    if (value.isEmpty()) {
      throw invalid("engine_id: is empty (expected: the id the engine registered with)");
    }
  }

  static void engineId(String field, String value) {
    if (value.isEmpty()) {
      throw invalid(field + ": is empty (expected: the engine's stable id, e.g. its pod name)");
    }
    if (value.length() > MAX_ENGINE_ID_LENGTH || !ENGINE_ID.matcher(value).matches()) {
      throw invalid(
          field
              + ": \""
              + value
              + "\" is not a valid engine id (expected: 1-"
              + MAX_ENGINE_ID_LENGTH
              + " characters of letters, digits, '.', '_', ':' and '-')");
    }
  }

  /** A module version with all three fields, the version exact. */
  static void moduleRef(String field, ModuleRef ref) {
    if (ref == null) {
      throw invalid(field + ": is missing (expected: namespace, name and version)");
    }
    name(field + ".namespace", ref.getNamespace());
    name(field + ".name", ref.getName());
    version(field + ".version", ref.getVersion());
  }

  static void name(String field, String value) {
    String problem = Names.problem(value);
    if (problem != null) {
      throw invalid(field + ": " + problem);
    }
  }

  /** A filter: empty means "all", anything else must be a valid name. */
  static void optionalName(String field, String value) {
    if (!value.isEmpty()) {
      name(field, value);
    }
  }

  static void version(String field, String value) {
    if (value.isEmpty()) {
      throw invalid(field + ": is empty (expected: a semantic version such as 1.2.0)");
    }
    try {
      SemVer.parse(value);
    } catch (IllegalArgumentException e) {
      throw invalid(field + ": " + e.getMessage());
    }
  }

  static void secretKey(String field, String value) {
    String problem = secretKeyProblem(value, true);
    if (problem != null) {
      throw invalid(field + ": " + problem);
    }
  }

  private static String secretKeyProblem(String value, boolean rejectReserved) {
    String expected =
        "(expected: 1-"
            + MAX_SECRET_KEY_LENGTH
            + " characters of [A-Za-z0-9_.-], not starting with \"__\")";
    if (value.isEmpty()) {
      return "is empty " + expected;
    }
    if (value.length() > MAX_SECRET_KEY_LENGTH || !SECRET_KEY.matcher(value).matches()) {
      return "\"" + value + "\" is not a valid secret key " + expected;
    }
    if (rejectReserved && value.startsWith("__")) {
      return "\"" + value + "\" starts with \"__\", which is reserved for wruntime " + expected;
    }
    return null;
  }

  private static void address(String field, String value, boolean allowHttpUrl) {
    HostPort parsed;
    try {
      parsed =
          HostPort.parse(value, allowHttpUrl, allowHttpUrl ? "127.0.0.1:9100" : "127.0.0.1:9000");
    } catch (IllegalArgumentException e) {
      throw invalid(field + ": " + e.getMessage());
    }
    if (parsed.port() == 0) {
      throw invalid(field + ": \"" + value + "\" has port 0 (expected: a port from 1 to 65535)");
    }
  }
}
