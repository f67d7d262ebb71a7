package io.wruntime.engine.config;

import com.dylibso.chicory.runtime.Memory;
import com.fasterxml.jackson.databind.JsonNode;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.names.Names;
import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.net.HttpUrls;
import io.wruntime.common.oci.Digest;
import io.wruntime.common.oci.OciReference;
import io.wruntime.engine.db.PostgresUrl;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns a parsed {@code engine.toml} into an {@link EngineConfig}, validating every key. */
final class EngineConfigReader {
  private static final Set<String> ROOT_KEYS =
      Set.of(
          "listen_address",
          "manager_address",
          "allow_non_loopback_internal",
          "max_outbound_body_bytes",
          "admin_address",
          "node",
          "pool",
          "limits",
          "module",
          "module_cache_dir",
          "code_cache_dir",
          "module_fetch_timeout_secs",
          "insecure_registries",
          "max_connections",
          "idle_timeout_secs",
          "blobstore",
          "database");

  private static final Set<String> DATABASE_KEYS =
      Set.of(
          "url",
          "url_file",
          "max_connections",
          "statement_timeout_secs",
          "idle_in_transaction_timeout_secs",
          "connection_timeout_secs");
  private static final Set<String> NODE_KEYS =
      Set.of("proxy_address", "control_address", "engine_id", "heartbeat_interval_secs");

  /** Engine ids as the manager accepts them: a pod name, a host name, a UUID. */
  private static final Pattern ENGINE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,253}");

  private static final Set<String> POOL_KEYS =
      Set.of(
          "total_component_instances",
          "max_memory_size",
          "execution",
          "guest_threads",
          "module_guest_threads",
          "max_total_memory");
  private static final Set<String> LIMITS_KEYS =
      Set.of(
          "spans",
          "transactions",
          "cursors",
          "llm_streams",
          "blob_objects",
          "outgoing_calls",
          "outgoing_calls_total");
  private static final Set<String> MODULE_KEYS =
      Set.of(
          "name",
          "namespace",
          "version",
          "wasm_path",
          "wasm_image",
          "registry_auth_file",
          "wasm_url",
          "wasm_sha256",
          "schema_path",
          "env",
          "request_timeout_secs",
          "channel_capacity",
          "max_concurrent_instances",
          "max_memory_size",
          "cpu_timeout_secs",
          "capabilities");

  private static final Pattern REGISTRY =
      Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+](:[0-9]{1,5})?");

  /** One wasm page; a smaller memory limit cannot hold any module. */
  private static final long MIN_MEMORY = 64 * 1024;

  /**
   * The largest linear memory Chicory gives an instance: it keeps it in one Java array, so 32767
   * pages (2 GiB less 64 KiB), not the 4 GiB of the wasm32 address space.
   */
  static final long MAX_MEMORY = (long) Memory.RUNTIME_MAX_PAGES * Memory.PAGE_SIZE;

  private static final long MAX_TOTAL_MEMORY = 1L << 50;

  private static final long MAX_BODY_BYTES = 1L << 40;

  private EngineConfigReader() {}

  static EngineConfig read(TomlTable root) {
    root.rejectUnknownKeys(ROOT_KEYS);
    boolean allowNonLoopback = root.bool("allow_non_loopback_internal", false);
    HostPort listen = address(root, "listen_address", EngineConfig.DEFAULT_LISTEN_ADDRESS, false);
    if (!allowNonLoopback && !listen.isLoopback()) {
      throw root.error(
          "listen_address",
          "= \""
              + listen
              + "\" is not a loopback address (expected: 127.0.0.1, [::1] or localhost; set"
              + " allow_non_loopback_internal = true to listen elsewhere)");
    }
    HostPort manager = optionalAddress(root, "manager_address", true);
    HostPort admin = optionalAddress(root, "admin_address", false);
    long maxOutbound =
        root.integer(
            "max_outbound_body_bytes",
            EngineConfig.DEFAULT_MAX_OUTBOUND_BODY_BYTES,
            0,
            MAX_BODY_BYTES);

    EngineConfig.NodeConfig node = null;
    TomlTable nodeTable = root.table("node").orElse(null);
    if (nodeTable != null) {
      nodeTable.rejectUnknownKeys(NODE_KEYS);
      node = node(nodeTable);
    }

    PoolConfig pool = PoolConfig.defaults();
    TomlTable poolTable = root.table("pool").orElse(null);
    if (poolTable != null) {
      poolTable.rejectUnknownKeys(POOL_KEYS);
      int guestThreads =
          (int) poolTable.integer("guest_threads", PoolConfig.defaultGuestThreads(), 1, 10_000);
      pool =
          new PoolConfig(
              (int)
                  poolTable.integer(
                      "total_component_instances",
                      PoolConfig.DEFAULT_TOTAL_COMPONENT_INSTANCES,
                      1,
                      1_000_000),
              memory(poolTable, "max_memory_size", PoolConfig.DEFAULT_MAX_MEMORY_SIZE),
              execution(poolTable),
              guestThreads,
              PoolConfig.defaultModuleGuestThreads(guestThreads, 2),
              poolTable.integer(
                  "max_total_memory",
                  PoolConfig.defaultMaxTotalMemory(),
                  MIN_MEMORY,
                  MAX_TOTAL_MEMORY));
    }

    LimitsConfig limits = LimitsConfig.defaults();
    TomlTable limitsTable = root.table("limits").orElse(null);
    if (limitsTable != null) {
      limitsTable.rejectUnknownKeys(LIMITS_KEYS);
      int outgoingCalls =
          (int) limitsTable.integer("outgoing_calls", limits.outgoingCalls(), 1, 100_000);
      int outgoingCallsTotal =
          (int)
              limitsTable.integer(
                  "outgoing_calls_total", limits.outgoingCallsTotal(), 1, 100_000_000);
      if (outgoingCallsTotal < outgoingCalls) {
        throw limitsTable.error(
            "outgoing_calls_total",
            "= "
                + outgoingCallsTotal
                + " (expected: at least limits.outgoing_calls = "
                + outgoingCalls
                + ")");
      }
      limits =
          new LimitsConfig(
              (int) limitsTable.integer("spans", limits.spans(), 1, 1_000_000),
              (int) limitsTable.integer("transactions", limits.transactions(), 1, 1_000_000),
              (int) limitsTable.integer("cursors", limits.cursors(), 1, 1_000_000),
              (int) limitsTable.integer("llm_streams", limits.llmStreams(), 1, 1_000_000),
              outgoingCalls,
              outgoingCallsTotal,
              (int) limitsTable.integer("blob_objects", limits.blobObjects(), 1, 1_000_000));
    }

    BlobstoreDefaults blobstore = ModuleCapabilitiesReader.engineBlobstore(root);
    List<ModuleConfig> modules = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (TomlTable table : root.tables("module")) {
      ModuleConfig module = module(table, pool, blobstore);
      String previous = seen.putIfAbsent(module.label(), table.path());
      if (previous != null) {
        throw new ConfigException(
            root.source()
                + ": "
                + table.path()
                + " declares "
                + module.label()
                + " again (expected: each (namespace, name, version) once; first declared by "
                + previous
                + ")");
      }
      modules.add(module);
    }
    pool = pool.withModuleGuestThreads(moduleGuestThreads(poolTable, pool, modules.size()));
    Path cacheDir =
        root.string("module_cache_dir")
            .map(p -> path(root, "module_cache_dir", p))
            .orElseGet(ArtifactsConfig::defaultCacheDir);
    // "" turns the code cache off.
    String codeCache = root.string("code_cache_dir").orElse(null);
    Path codeCacheDir =
        codeCache == null
            ? ArtifactsConfig.defaultCodeCacheDir()
            : codeCache.isEmpty() ? null : path(root, "code_cache_dir", codeCache);
    Duration fetchTimeout =
        Duration.ofSeconds(
            root.integer(
                "module_fetch_timeout_secs", ArtifactsConfig.DEFAULT_FETCH_TIMEOUT_SECS, 1, 3600));
    List<String> insecure = root.strings("insecure_registries");
    for (int i = 0; i < insecure.size(); i++) {
      if (!REGISTRY.matcher(insecure.get(i)).matches()) {
        throw root.error(
            "insecure_registries[" + i + "]",
            "= \"" + insecure.get(i) + "\" (expected: a registry host or host:port)");
      }
    }
    DatabaseConfig database =
        root.table("database").map(EngineConfigReader::database).orElse(DatabaseConfig.defaults());
    return new EngineConfig(
        root.source(),
        listen,
        manager,
        allowNonLoopback,
        maxOutbound,
        admin,
        node,
        pool,
        limits,
        modules,
        new ArtifactsConfig(cacheDir, fetchTimeout, insecure, codeCacheDir),
        new ListenerLimits(
            (int)
                root.integer(
                    "max_connections", ListenerLimits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
            Duration.ofSeconds(
                root.integer(
                    "idle_timeout_secs", ListenerLimits.DEFAULT_IDLE_TIMEOUT_SECS, 1, 86_400))),
        database);
  }

  /** {@code [database]}; its url is a secret, so no message shows it. */
  private static DatabaseConfig database(TomlTable table) {
    table.rejectUnknownKeys(DATABASE_KEYS);
    if (table.has("url") && table.has("url_file")) {
      throw table.error(
          "url", "and url_file are both set (expected: one of them, the URL or a file holding it)");
    }
    PostgresUrl url = null;
    if (table.has("url")) {
      try {
        url = PostgresUrl.parse(table.requireString("url"));
      } catch (IllegalArgumentException e) {
        throw table.error("url", e.getMessage());
      }
    }
    Path urlFile =
        table.has("url_file") ? path(table, "url_file", table.requireString("url_file")) : null;
    return new DatabaseConfig(
        url,
        urlFile,
        (int) table.integer("max_connections", DatabaseConfig.DEFAULT_MAX_CONNECTIONS, 1, 10_000),
        Duration.ofSeconds(
            table.integer(
                "statement_timeout_secs",
                DatabaseConfig.DEFAULT_STATEMENT_TIMEOUT_SECS,
                1,
                86_400)),
        Duration.ofSeconds(
            table.integer(
                "idle_in_transaction_timeout_secs",
                DatabaseConfig.DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS,
                1,
                86_400)),
        Duration.ofSeconds(
            table.integer(
                "connection_timeout_secs",
                DatabaseConfig.DEFAULT_CONNECTION_TIMEOUT_SECS,
                1,
                3_600)));
  }

  /** Which of the three sources a module names; exactly one. */
  private static WasmSource wasmSource(TomlTable table) {
    List<String> given = new ArrayList<>();
    for (String key : List.of("wasm_path", "wasm_image", "wasm_url")) {
      if (table.has(key)) {
        given.add(key);
      }
    }
    if (given.size() != 1) {
      throw table.error(
          given.isEmpty() ? "wasm_path" : String.join(", ", given),
          (given.isEmpty() ? "is missing" : "are set together")
              + " (expected: exactly one of wasm_path, wasm_image or wasm_url with wasm_sha256)");
    }
    if (!table.has("wasm_image") && table.has("registry_auth_file")) {
      throw table.error(
          "registry_auth_file", "is set without wasm_image (expected: only with wasm_image)");
    }
    if (table.has("wasm_url") != table.has("wasm_sha256")) {
      throw table.error(
          table.has("wasm_url") ? "wasm_url" : "wasm_sha256",
          table.has("wasm_url")
              ? "is set without wasm_sha256 (expected: the SHA-256 of the binary, 64 hex digits;"
                  + " a URL is verified against it)"
              : "is set without wasm_url (expected: only with wasm_url)");
    }
    if (table.has("wasm_path")) {
      return new WasmSource.File(path(table, "wasm_path", table.requireString("wasm_path")));
    }
    if (table.has("wasm_image")) {
      String text = table.requireString("wasm_image");
      OciReference reference;
      try {
        reference = OciReference.parse(text);
      } catch (IllegalArgumentException e) {
        throw table.error("wasm_image", "= " + e.getMessage());
      }
      List<Path> authFiles = new ArrayList<>();
      if (table.has("registry_auth_file")) {
        List<String> files;
        try {
          files = List.of(table.requireString("registry_auth_file"));
        } catch (ConfigException notAString) {
          files = table.strings("registry_auth_file");
        }
        for (String file : files) {
          authFiles.add(path(table, "registry_auth_file", file));
        }
      }
      return new WasmSource.Image(reference, authFiles);
    }
    String url = table.requireString("wasm_url");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw table.error("wasm_url", "= \"" + url + "\" is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean loopbackHttp =
        scheme.equals("http") && uri.getHost() != null && isLoopback(uri.getHost());
    if (!(scheme.equals("https") && uri.getHost() != null) && !loopbackHttp) {
      throw table.error(
          "wasm_url",
          "= \""
              + url
              + "\" (expected: an https:// URL, or http:// on loopback such as"
              + " http://127.0.0.1:8080/echo.wasm)");
    }
    String sha = table.requireString("wasm_sha256");
    String hex = sha.startsWith("sha256:") ? sha.substring("sha256:".length()) : sha;
    try {
      return new WasmSource.Url(uri, new Digest(hex.toLowerCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw table.error(
          "wasm_sha256", "= \"" + sha + "\" (expected: 64 hex digits, optionally after sha256:)");
    }
  }

  private static boolean isLoopback(String host) {
    return HttpUrls.isLoopbackHost(host);
  }

  private static EngineConfig.NodeConfig node(TomlTable table) {
    HostPort proxy = optionalAddress(table, "proxy_address", true);
    if (proxy == null) {
      for (String key : List.of("control_address", "engine_id", "heartbeat_interval_secs")) {
        if (table.has(key)) {
          throw table.error(
              key,
              "is set without proxy_address (expected: proxy_address too; the engine registers"
                  + " only through a proxy)");
        }
      }
      return null;
    }
    HostPort control =
        table.has("control_address")
            ? address(table, "control_address", null, true)
            : proxy.withPort(EngineConfig.NodeConfig.DEFAULT_CONTROL_PORT);
    String engineId = table.string("engine_id").orElse(null);
    if (engineId != null && !ENGINE_ID.matcher(engineId).matches()) {
      throw table.error(
          "engine_id",
          "= \""
              + engineId
              + "\" is not a valid engine id (expected: 1-253 characters of letters, digits, '.',"
              + " '_', ':' and '-', e.g. a pod or host name)");
    }
    Duration heartbeat =
        Duration.ofSeconds(
            table.integer(
                "heartbeat_interval_secs",
                EngineConfig.NodeConfig.DEFAULT_HEARTBEAT_INTERVAL_SECS,
                1,
                3600));
    return new EngineConfig.NodeConfig(proxy, control, engineId, heartbeat);
  }

  private static ModuleConfig module(
      TomlTable table, PoolConfig pool, BlobstoreDefaults blobstore) {
    table.rejectUnknownKeys(MODULE_KEYS);
    String name = name(table, "name");
    String namespace = name(table, "namespace");
    String version = table.requireString("version");
    try {
      SemVer.parse(version);
    } catch (IllegalArgumentException e) {
      throw table.error("version", "= " + e.getMessage());
    }
    WasmSource wasm = wasmSource(table);
    Path schema = table.string("schema_path").map(p -> path(table, "schema_path", p)).orElse(null);
    Duration timeout =
        Duration.ofSeconds(
            table.integer(
                "request_timeout_secs", ModuleConfig.DEFAULT_REQUEST_TIMEOUT_SECS, 1, 86_400));
    int capacity =
        (int)
            table.integer("channel_capacity", ModuleConfig.DEFAULT_CHANNEL_CAPACITY, 0, 1_000_000);
    int concurrent =
        (int)
            table.integer(
                "max_concurrent_instances",
                ModuleConfig.DEFAULT_MAX_CONCURRENT_INSTANCES,
                1,
                pool.totalComponentInstances());
    long memory = memory(table, "max_memory_size", pool.maxMemorySize());
    long cpuSecs = table.integer("cpu_timeout_secs", timeout.toSeconds(), 1, timeout.toSeconds());
    return new ModuleConfig(
        namespace,
        name,
        version,
        wasm,
        schema,
        env(table),
        timeout,
        capacity,
        concurrent,
        memory,
        Duration.ofSeconds(cpuSecs),
        ModuleCapabilitiesReader.read(table, blobstore));
  }

  private static String name(TomlTable table, String key) {
    String value = table.requireString(key);
    String problem = Names.problem(value);
    if (problem != null) {
      throw table.error(key, problem.startsWith("\"") ? "= " + problem : problem);
    }
    return value;
  }

  private static Map<String, String> env(TomlTable table) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : table.entries("env").entrySet()) {
      String key = "env." + entry.getKey();
      JsonNode value = entry.getValue();
      if (entry.getKey().isEmpty() || entry.getKey().contains("=")) {
        throw table.error(
            key, "is not a valid variable name (expected: a non-empty name without '=')");
      }
      if (value.isTextual()) {
        env.put(entry.getKey(), value.asText());
      } else if (value.isObject() && value.has("secret")) {
        throw table.error(
            key,
            "= {secret = "
                + value.get("secret")
                + "} is not supported yet: secrets need a manager (expected: a plain string"
                + " value)");
      } else {
        throw table.error(key, "= " + value + " (expected: a string)");
      }
    }
    return env;
  }

  /**
   * {@code pool.module_guest_threads}: given, from 1 to {@code guest_threads}; by default the whole
   * pool for one module, the pool less a quarter for several.
   */
  private static int moduleGuestThreads(TomlTable poolTable, PoolConfig pool, int modules) {
    if (poolTable == null || !poolTable.has("module_guest_threads")) {
      return PoolConfig.defaultModuleGuestThreads(pool.guestThreads(), modules);
    }
    return (int) poolTable.integer("module_guest_threads", 1, 1, pool.guestThreads());
  }

  /** A linear-memory limit in bytes: from one page to the most Chicory can give an instance. */
  private static long memory(TomlTable table, String key, long defaultValue) {
    long value = table.integer(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
    if (value < MIN_MEMORY || value > MAX_MEMORY) {
      throw table.error(
          key,
          "= "
              + value
              + " (expected: an integer from "
              + MIN_MEMORY
              + " to "
              + MAX_MEMORY
              + (value > MAX_MEMORY
                  ? ", 32767 pages: the engine keeps an instance's memory in one Java array, which"
                      + " cannot hold the 4 GiB of the whole wasm32 address space)"
                  : ")"));
    }
    return value;
  }

  private static ExecutionMode execution(TomlTable table) {
    String value = table.string("execution", "compiled");
    return switch (value) {
      case "compiled" -> ExecutionMode.COMPILED;
      case "interpreted" -> ExecutionMode.INTERPRETED;
      default ->
          throw table.error(
              "execution", "= \"" + value + "\" (expected: \"compiled\" or \"interpreted\")");
    };
  }

  /** {@code value} of {@code key} as an absolute path, resolved against the working directory. */
  static Path path(TomlTable table, String key, String value) {
    if (value.isBlank()) {
      throw table.error(key, "is empty (expected: a file path)");
    }
    try {
      return Path.of(value).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw table.error(key, "= \"" + value + "\" is not a valid path (" + e.getReason() + ")");
    }
  }

  private static HostPort address(
      TomlTable table, String key, String defaultValue, boolean allowUrl) {
    return table.address(
        key, defaultValue, allowUrl, allowUrl ? "127.0.0.1:9001" : "127.0.0.1:9100");
  }

  private static HostPort optionalAddress(TomlTable table, String key, boolean allowUrl) {
    return table.has(key) ? address(table, key, null, allowUrl) : null;
  }
}
