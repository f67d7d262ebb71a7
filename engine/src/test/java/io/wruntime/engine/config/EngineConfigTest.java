package io.wruntime.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.net.HostPort;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineConfigTest {
  private static final String MODULE =
      """
      [[module]]
      name = "echo"
      namespace = "example"
      version = "1.0.0"
      wasm_path = "examples/echo/echo.wasm"
      """;

  private static EngineConfig parse(String text) {
    return EngineConfig.parse("engine.toml", text);
  }

  private static String errorOf(String text) {
    try {
      parse(text);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a configuration error for:\n" + text);
  }

  @Test
  void emptyFileGivesTheDefaults() {
    EngineConfig config = parse("");

    assertThat(config.listenAddress()).isEqualTo(new HostPort("127.0.0.1", 9100));
    assertThat(config.managerAddress()).isNull();
    assertThat(config.adminAddress()).isNull();
    assertThat(config.allowNonLoopbackInternal()).isFalse();
    assertThat(config.maxOutboundBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(config.hasProxy()).isFalse();
    assertThat(config.pool())
        .isEqualTo(
            new PoolConfig(
                1000,
                10L * 1024 * 1024,
                ExecutionMode.COMPILED,
                Math.max(2, 2 * Runtime.getRuntime().availableProcessors()),
                Math.max(2, 2 * Runtime.getRuntime().availableProcessors()),
                Runtime.getRuntime().maxMemory() / 4 * 3));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(1024, 64, 256, 32, 64, 1000));
    assertThat(config.modules()).isEmpty();
  }

  @Test
  void moduleDefaultsAndResolvedPaths() {
    ModuleConfig module = parse(MODULE).modules().get(0);

    assertThat(module.label()).isEqualTo("example.echo@1.0.0");
    assertThat(module.wasmPath())
        .isEqualTo(Path.of("examples/echo/echo.wasm").toAbsolutePath().normalize());
    assertThat(module.wasmPath()).isAbsolute();
    assertThat(module.schemaPath()).isNull();
    assertThat(module.env()).isEmpty();
    assertThat(module.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(module.channelCapacity()).isEqualTo(128);
    assertThat(module.maxConcurrentInstances()).isEqualTo(64);
    assertThat(module.maxMemorySize()).isEqualTo(10L * 1024 * 1024);
  }

  @Test
  void readsEveryKey() {
    EngineConfig config =
        parse(
            """
            listen_address = "0.0.0.0:9100"
            allow_non_loopback_internal = true
            manager_address = "http://127.0.0.1:9000"
            admin_address = "0.0.0.0:9101"
            max_outbound_body_bytes = 1048576
            [node]
            proxy_address = "http://127.0.0.1:9001"
            [pool]
            total_component_instances = 10
            max_memory_size = 2097152
            execution = "interpreted"
            guest_threads = 8
            module_guest_threads = 6
            max_total_memory = 1073741824
            [limits]
            spans = 1
            transactions = 2
            cursors = 3
            llm_streams = 4
            outgoing_calls = 5
            outgoing_calls_total = 6
            [[module]]
            name = "echo"
            namespace = "example"
            version = "1.2.3-rc.1"
            wasm_path = "/opt/echo.wasm"
            schema_path = "/opt/echo.binpb"
            request_timeout_secs = 5
            channel_capacity = 0
            max_concurrent_instances = 3
            max_memory_size = 131072
            cpu_timeout_secs = 2
            env = { GREETING = "hello", MODE = "fast" }
            """);

    assertThat(config.listenAddress()).isEqualTo(new HostPort("0.0.0.0", 9100));
    assertThat(config.managerAddress()).isEqualTo(new HostPort("127.0.0.1", 9000));
    assertThat(config.adminAddress()).isEqualTo(new HostPort("0.0.0.0", 9101));
    assertThat(config.maxOutboundBodyBytes()).isEqualTo(1048576);
    assertThat(config.node().proxyAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(config.pool())
        .isEqualTo(new PoolConfig(10, 2097152, ExecutionMode.INTERPRETED, 8, 6, 1073741824));
    assertThat(config.limits()).isEqualTo(new LimitsConfig(1, 2, 3, 4, 5, 6));
    ModuleConfig module = config.modules().get(0);
    assertThat(module.version()).isEqualTo("1.2.3-rc.1");
    assertThat(module.wasmPath()).isEqualTo(Path.of("/opt/echo.wasm"));
    assertThat(module.schemaPath()).isEqualTo(Path.of("/opt/echo.binpb"));
    assertThat(module.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(module.channelCapacity()).isZero();
    assertThat(module.maxConcurrentInstances()).isEqualTo(3);
    assertThat(module.maxMemorySize()).isEqualTo(131072);
    assertThat(module.cpuTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(module.env()).isEqualTo(Map.of("GREETING", "hello", "MODE", "fast"));
    assertThat(module.toDefinition(config.pool().execution(), module.wasmPath()).mode())
        .isEqualTo(ExecutionMode.INTERPRETED);
  }

  @Test
  void moduleMemoryDefaultsToThePool() {
    EngineConfig config = parse("[pool]\nmax_memory_size = 1048576\n" + MODULE);

    assertThat(config.modules().get(0).maxMemorySize()).isEqualTo(1048576);
    assertThat(
            config
                .modules()
                .get(0)
                .toDefinition(ExecutionMode.COMPILED, Path.of("echo.wasm"))
                .maxMemoryBytes())
        .isEqualTo(1048576);
  }

  @Test
  void nonLoopbackListenAddressNeedsToBeAllowed() {
    assertThat(errorOf("listen_address = \"0.0.0.0:9100\""))
        .isEqualTo(
            "engine.toml: listen_address = \"0.0.0.0:9100\" is not a loopback address (expected:"
                + " 127.0.0.1, [::1] or localhost; set allow_non_loopback_internal = true to listen"
                + " elsewhere)");
    assertThat(parse("listen_address = \"[::1]:0\"").listenAddress().port()).isZero();
  }

  @Test
  void malformedAddressesNameTheKey() {
    assertThat(errorOf("listen_address = \"9100\""))
        .isEqualTo(
            "engine.toml: listen_address = \"9100\" has no port (expected: host:port, e.g."
                + " 127.0.0.1:9100)");
    assertThat(errorOf("[node]\nproxy_address = \"ftp://x:1\""))
        .startsWith("engine.toml: node.proxy_address = \"ftp://x:1\" has scheme ftp");
    assertThat(errorOf("admin_address = 9101"))
        .isEqualTo("engine.toml: admin_address = 9101 (expected: a string)");
  }

  @Test
  void unknownKeysAreRejectedEverywhere() {
    assertThat(errorOf("listen_adress = \"127.0.0.1:9100\""))
        .startsWith(
            "engine.toml: listen_adress is not a known key (expected one of: admin_address,");
    assertThat(errorOf("[pool]\nmax_instances = 3"))
        .startsWith("engine.toml: pool.max_instances is not a known key (expected one of:");
    assertThat(errorOf("[limits]\nspan = 3"))
        .startsWith("engine.toml: limits.span is not a known key");
    assertThat(errorOf("[node]\nproxy = \"x\""))
        .startsWith("engine.toml: node.proxy is not a known key");
    assertThat(errorOf(MODULE + "timeout = 3"))
        .startsWith("engine.toml: module[0].timeout is not a known key (expected one of:");
  }

  @Test
  void namesAndNamespacesFollowTheNamingRules() {
    assertThat(errorOf(MODULE.replace("\"echo\"", "\"Echo\"")))
        .isEqualTo(
            "engine.toml: module[0].name = \"Echo\" is not a valid name (expected: lowercase"
                + " letters, digits and '-', not starting or ending with '-')");
    assertThat(errorOf(MODULE.replace("\"example\"", "\"a-very-long-namespace-name-x\"")))
        .isEqualTo(
            "engine.toml: module[0].namespace = \"a-very-long-namespace-name-x\" has 28"
                + " characters (expected: at most 24)");
    assertThat(errorOf(MODULE.replace("name = \"echo\"\n", "")))
        .isEqualTo("engine.toml: module[0].name is missing (expected: a string)");
  }

  @Test
  void versionsMustBeSemver() {
    assertThat(errorOf(MODULE + MODULE.replace("1.0.0", "1.0")))
        .isEqualTo(
            "engine.toml: module[1].version = \"1.0\" is not a semantic version (expected:"
                + " MAJOR.MINOR.PATCH, e.g. 1.0.0)");
  }

  @Test
  void duplicateModulesAreRejected() {
    assertThat(errorOf(MODULE + MODULE.replace("echo.wasm", "other.wasm")))
        .isEqualTo(
            "engine.toml: module[1] declares example.echo@1.0.0 again (expected: each (namespace,"
                + " name, version) once; first declared by module[0])");
    assertThat(parse(MODULE + MODULE.replace("1.0.0", "2.0.0")).modules()).hasSize(2);
  }

  @Test
  void outgoingCallLimitsAreChecked() {
    assertThat(errorOf("[limits]\noutgoing_calls = 0\n"))
        .isEqualTo(
            "engine.toml: limits.outgoing_calls = 0 (expected: an integer from 1 to 100000)");
    assertThat(errorOf("[limits]\noutgoing_calls = 10\noutgoing_calls_total = 5\n"))
        .isEqualTo(
            "engine.toml: limits.outgoing_calls_total = 5 (expected: at least"
                + " limits.outgoing_calls = 10)");
  }

  @Test
  void secretEnvValuesNeedAManager() {
    assertThat(errorOf(MODULE + "env = { DB_PASSWORD = { secret = true } }"))
        .isEqualTo(
            "engine.toml: module[0].env.DB_PASSWORD = {secret = true} is not supported yet:"
                + " secrets need a manager (expected: a plain string value)");
    assertThat(errorOf(MODULE + "env = { PORT = 8080 }"))
        .isEqualTo("engine.toml: module[0].env.PORT = 8080 (expected: a string)");
  }

  @Test
  void moduleEnvValuesAndTheEngineIdExpandEnvironmentVariables() {
    Map<String, String> env =
        Map.of("POD_NAME", "shop-orders-7d9f", "WR_ENV_API_TOKEN", "t0k$n", "POD_IP", "10.0.3.7");
    EngineConfig config =
        EngineConfigReader.read(
            TomlTable.parse(
                "engine.toml",
                """
                [node]
                proxy_address = "http://127.0.0.1:9001"
                engine_id = "${POD_NAME}"
                """
                    + MODULE
                    + """
                    env = { API_TOKEN = "${WR_ENV_API_TOKEN}", PRICE = "$$5", HOST = "${POD_IP}" }
                    """,
                env));

    assertThat(config.node().engineId()).isEqualTo("shop-orders-7d9f");
    assertThat(config.modules().get(0).env())
        .isEqualTo(Map.of("API_TOKEN", "t0k$n", "PRICE", "$5", "HOST", "10.0.3.7"));
    assertThatThrownBy(
            () ->
                EngineConfigReader.read(
                    TomlTable.parse(
                        "engine.toml",
                        MODULE + "env = { API_TOKEN = \"${WR_ENV_API_TOKEN}\" }",
                        Map.of())))
        .hasMessage(
            "engine.toml: module[0].env.API_TOKEN = \"${WR_ENV_API_TOKEN}\": environment variable"
                + " WR_ENV_API_TOKEN is not set (expected: set it, or write $$ for a literal $)");
  }

  @Test
  void numbersAreRangeChecked() {
    assertThat(errorOf(MODULE + "request_timeout_secs = 0"))
        .isEqualTo(
            "engine.toml: module[0].request_timeout_secs = 0 (expected: an integer from 1 to"
                + " 86400)");
    assertThat(errorOf(MODULE + "max_concurrent_instances = 2000"))
        .isEqualTo(
            "engine.toml: module[0].max_concurrent_instances = 2000 (expected: an integer from 1"
                + " to 1000)");
    assertThat(errorOf("[pool]\nmax_memory_size = 1000"))
        .isEqualTo(
            "engine.toml: pool.max_memory_size = 1000 (expected: an integer from 65536 to"
                + " 2147418112)");
    assertThat(errorOf("max_outbound_body_bytes = \"16MiB\""))
        .isEqualTo("engine.toml: max_outbound_body_bytes = \"16MiB\" (expected: an integer)");
    assertThat(errorOf("[limits]\ncursors = -1"))
        .isEqualTo("engine.toml: limits.cursors = -1 (expected: an integer from 1 to 1000000)");
  }

  @Test
  void executionModeIsCompiledOrInterpreted() {
    assertThat(errorOf("[pool]\nexecution = \"jit\""))
        .isEqualTo(
            "engine.toml: pool.execution = \"jit\" (expected: \"compiled\" or \"interpreted\")");
  }

  @Test
  void loadNamesTheFileInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("engine.toml");
    Files.writeString(file, MODULE.replace("1.0.0", "one"));

    assertThatThrownBy(() -> EngineConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": module[0].version = \"one\"");
    assertThatThrownBy(() -> EngineConfig.load(dir.resolve("missing.toml")))
        .hasMessage("config file " + dir.resolve("missing.toml") + " does not exist");
    Files.writeString(file, "listen_address = ");
    assertThatThrownBy(() -> EngineConfig.load(file))
        .hasMessageStartingWith(file + ": invalid TOML:");
  }

  @Test
  void aMissingWasmFileIsNotAConfigError() {
    assertThat(parse(MODULE.replace("examples/echo/echo.wasm", "/nowhere/x.wasm")).modules())
        .hasSize(1);
  }

  @Test
  void theNodesProxyAddressIsAUrlOrHostPortAsInTheOriginalsFiles() {
    EngineConfig url = parse("[node]\nproxy_address = \"http://127.0.0.1:9001\"");
    EngineConfig hostPort = parse("[node]\nproxy_address = \"127.0.0.1:9001\"");

    assertThat(url.node().proxyAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(hostPort.node().proxyAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(hostPort.node().controlAddress()).isEqualTo(new HostPort("127.0.0.1", 9002));
  }

  private static final String HEADER =
      """
      [[module]]
      name = "echo"
      namespace = "example"
      version = "1.0.0"
      """;

  @Test
  void aModuleComesFromAnImageWithAuthFilesOrFromAUrlWithItsDigest() {
    String hex = "ab".repeat(32);
    EngineConfig config =
        parse(
            """
            module_cache_dir = "/var/cache/wr"
            module_fetch_timeout_secs = 15
            insecure_registries = ["registry.internal:5000"]
            """
                + HEADER
                + "wasm_image = \"registry.example.com/team/echo:1.0.0@sha256:"
                + hex
                + "\"\nregistry_auth_file = [\"/a.json\", \"/b.json\"]\n"
                + HEADER.replace("echo", "fetched")
                + "wasm_url = \"https://example.com/echo.wasm\"\nwasm_sha256 = \"sha256:"
                + hex.toUpperCase()
                + "\"\n"
                + HEADER.replace("echo", "single")
                + "wasm_image = \"localhost:5000/echo\"\nregistry_auth_file = \"/c.json\"\n");

    assertThat(config.artifacts())
        .isEqualTo(
            new ArtifactsConfig(
                Path.of("/var/cache/wr"),
                Duration.ofSeconds(15),
                List.of("registry.internal:5000")));
    WasmSource.Image image = (WasmSource.Image) config.modules().get(0).wasm();
    assertThat(image.reference().isPinned()).isTrue();
    assertThat(image.reference().repository()).isEqualTo("team/echo");
    assertThat(image.authFiles()).containsExactly(Path.of("/a.json"), Path.of("/b.json"));
    assertThat(config.modules().get(0).wasmPath()).isNull();
    WasmSource.Url url = (WasmSource.Url) config.modules().get(1).wasm();
    assertThat(url.url()).hasToString("https://example.com/echo.wasm");
    assertThat(url.sha256().hex()).isEqualTo(hex);
    assertThat(((WasmSource.Image) config.modules().get(2).wasm()).authFiles())
        .containsExactly(Path.of("/c.json"));
  }

  @Test
  void theCodeCacheHasADefaultAPathOrIsTurnedOffWithAnEmptyString() {
    assertThat(parse("").artifacts().codeCacheDir())
        .isEqualTo(ArtifactsConfig.defaultCodeCacheDir())
        .isAbsolute()
        .endsWith(Path.of("wruntime", "code"));
    assertThat(parse("code_cache_dir = \"/var/cache/wr-code\"\n").artifacts().codeCacheDir())
        .isEqualTo(Path.of("/var/cache/wr-code"));
    assertThat(parse("code_cache_dir = \"\"\n").artifacts().codeCacheDir()).isNull();
  }

  @Test
  void theCacheDirectoryAndTimeoutHaveDefaults() {
    assertThat(parse("").artifacts())
        .isEqualTo(
            new ArtifactsConfig(
                Path.of(System.getProperty("java.io.tmpdir"), "wruntime", "modules")
                    .toAbsolutePath()
                    .normalize(),
                Duration.ofSeconds(60),
                List.of()));
  }

  @Test
  void exactlyOneSourceAndItsCompanionKeys() {
    assertThat(errorOf(HEADER))
        .isEqualTo(
            "engine.toml: module[0].wasm_path is missing (expected: exactly one of wasm_path,"
                + " wasm_image or wasm_url with wasm_sha256)");
    assertThat(errorOf(HEADER + "wasm_path = \"/x.wasm\"\nwasm_image = \"r.io/echo:1\""))
        .isEqualTo(
            "engine.toml: module[0].wasm_path, wasm_image are set together (expected: exactly one"
                + " of wasm_path, wasm_image or wasm_url with wasm_sha256)");
    assertThat(errorOf(HEADER + "wasm_url = \"https://example.com/e.wasm\""))
        .startsWith("engine.toml: module[0].wasm_url is set without wasm_sha256 (expected:");
    assertThat(errorOf(HEADER + "wasm_path = \"/x.wasm\"\nregistry_auth_file = \"/a.json\""))
        .isEqualTo(
            "engine.toml: module[0].registry_auth_file is set without wasm_image (expected: only"
                + " with wasm_image)");
  }

  @Test
  void imageReferencesUrlsAndDigestsAreChecked() {
    assertThat(errorOf(HEADER + "wasm_image = \"team/echo:1.0.0\""))
        .startsWith(
            "engine.toml: module[0].wasm_image = OCI reference: \"team/echo:1.0.0\" starts with"
                + " \"team\", which is not a registry host");
    assertThat(
            errorOf(
                HEADER
                    + "wasm_url = \"http://example.com/e.wasm\"\nwasm_sha256 = \""
                    + "a".repeat(64)
                    + "\""))
        .isEqualTo(
            "engine.toml: module[0].wasm_url = \"http://example.com/e.wasm\" (expected: an"
                + " https:// URL, or http:// on loopback such as http://127.0.0.1:8080/echo.wasm)");
    assertThat(
            parse(
                    HEADER
                        + "wasm_url = \"http://127.0.0.1:8080/e.wasm\"\nwasm_sha256 = \""
                        + "a".repeat(64)
                        + "\"")
                .modules())
        .hasSize(1);
    assertThat(errorOf(HEADER + "wasm_url = \"https://example.com/e.wasm\"\nwasm_sha256 = \"abc\""))
        .isEqualTo(
            "engine.toml: module[0].wasm_sha256 = \"abc\" (expected: 64 hex digits, optionally"
                + " after sha256:)");
    assertThat(errorOf("insecure_registries = [\"http://r.io\"]"))
        .isEqualTo(
            "engine.toml: insecure_registries[0] = \"http://r.io\" (expected: a registry host or"
                + " host:port)");
  }

  @Test
  void guestThreadsOfOneModuleLeaveAQuarterOfThePoolToTheOthers() {
    String two = MODULE + MODULE.replace("\"echo\"", "\"other\"");

    assertThat(parse("[pool]\nguest_threads = 8\n" + two).pool().moduleGuestThreads()).isEqualTo(6);
    assertThat(parse("[pool]\nguest_threads = 3\n" + two).pool().moduleGuestThreads()).isEqualTo(2);
    assertThat(parse("[pool]\nguest_threads = 1\n" + two).pool().moduleGuestThreads()).isEqualTo(1);
    // One module (a pod on Kubernetes): nothing to leave room for.
    assertThat(parse("[pool]\nguest_threads = 8\n" + MODULE).pool().moduleGuestThreads())
        .isEqualTo(8);
    assertThat(
            parse("[pool]\nguest_threads = 8\nmodule_guest_threads = 8\n" + two)
                .pool()
                .moduleGuestThreads())
        .isEqualTo(8);
  }

  @Test
  void cpuTimeoutDefaultsToTheRequestTimeout() {
    assertThat(parse(MODULE + "request_timeout_secs = 7").modules().get(0).cpuTimeout())
        .isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void poolAndCpuLimitsAreRangeChecked() {
    assertThat(errorOf("[pool]\nguest_threads = 0"))
        .isEqualTo("engine.toml: pool.guest_threads = 0 (expected: an integer from 1 to 10000)");
    assertThat(errorOf("[pool]\nguest_threads = 4\nmodule_guest_threads = 5"))
        .isEqualTo("engine.toml: pool.module_guest_threads = 5 (expected: an integer from 1 to 4)");
    assertThat(errorOf("[pool]\nmax_total_memory = 1024"))
        .startsWith("engine.toml: pool.max_total_memory = 1024 (expected: an integer from 65536");
    assertThat(errorOf(MODULE + "request_timeout_secs = 5\ncpu_timeout_secs = 6"))
        .isEqualTo(
            "engine.toml: module[0].cpu_timeout_secs = 6 (expected: an integer from 1 to 5)");
  }

  @Test
  void memoryLimitsAboveWhatTheEngineCanGiveAreRefusedNotSilentlyCut() {
    assertThat(errorOf(MODULE + "max_memory_size = 4294967296"))
        .isEqualTo(
            "engine.toml: module[0].max_memory_size = 4294967296 (expected: an integer from 65536"
                + " to 2147418112, 32767 pages: the engine keeps an instance's memory in one Java"
                + " array, which cannot hold the 4 GiB of the whole wasm32 address space)");
    assertThat(parse(MODULE + "max_memory_size = 2147418112").modules().get(0).maxMemorySize())
        .isEqualTo(2147418112L);
  }
}
