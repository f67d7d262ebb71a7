package io.wruntime.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.engine.config.ModuleCapabilities.Blobstore;
import io.wruntime.engine.config.ModuleCapabilities.Db;
import io.wruntime.engine.config.ModuleCapabilities.Fs;
import io.wruntime.engine.config.ModuleCapabilities.Llm;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModuleCapabilitiesTest {
  private static final String MODULE =
      """
      [[module]]
      name = "orders"
      namespace = "shop"
      version = "1.0.0"
      wasm_path = "/opt/orders.wasm"
      """;

  private static final String BLOBSTORE =
      """
      [module.capabilities.blobstore]
      buckets = ["orders"]
      credentials_dir = "/var/run/wr/blobstore"
      """;

  private static final String LLM =
      """
      [module.capabilities.llm]
      provider = "anthropic"
      api_key_file = "/var/run/wr/llm/key"
      """;

  private static ModuleCapabilities capabilities(String text) {
    return EngineConfig.parse("engine.toml", MODULE + text).modules().get(0).capabilities();
  }

  private static String errorOf(String text) {
    try {
      EngineConfig.parse("engine.toml", MODULE + text);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a configuration error for:\n" + text);
  }

  @Test
  void aModuleWithoutCapabilitiesHasNone() {
    ModuleCapabilities none = capabilities("");

    assertThat(none).isEqualTo(ModuleCapabilities.NONE);
    assertThat(none.isEmpty()).isTrue();
    assertThat(none.names()).isEmpty();
  }

  @Test
  void readsEveryCapabilityAndKey() {
    ModuleCapabilities granted =
        capabilities(
            """
            [module.capabilities.db]
            url_file = "/var/run/wr/db/url"
            [module.capabilities.blobstore]
            endpoint = "http://minio.storage:9000"
            region = "eu-west-1"
            buckets = ["orders", "invoices.2024"]
            credentials_dir = "/var/run/wr/blobstore"
            [module.capabilities.llm]
            provider = "openai"
            base_url = "https://llm.internal/v1"
            api_key_file = "/var/run/wr/llm/api-key"
            max_tokens = 1000000
            [module.capabilities.fs]
            mode = "tempdir"
            """);

    assertThat(granted.db()).isEqualTo(new Db(Path.of("/var/run/wr/db/url")));
    assertThat(granted.blobstore())
        .isEqualTo(
            new Blobstore(
                URI.create("http://minio.storage:9000"),
                "eu-west-1",
                List.of("orders", "invoices.2024"),
                Path.of("/var/run/wr/blobstore")));
    assertThat(granted.blobstore().secretAccessKeyFile())
        .isEqualTo(Path.of("/var/run/wr/blobstore/secretAccessKey"));
    assertThat(granted.llm())
        .isEqualTo(
            new Llm(
                Llm.Provider.OPENAI,
                URI.create("https://llm.internal/v1"),
                Path.of("/var/run/wr/llm/api-key"),
                1_000_000));
    assertThat(granted.fs()).isEqualTo(new Fs(Fs.Mode.TEMPDIR));
    assertThat(granted.names()).containsExactly("db", "blobstore", "llm", "fs");
  }

  @Test
  void optionalKeysHaveDefaults() {
    ModuleCapabilities granted = capabilities(BLOBSTORE + LLM + "[module.capabilities.fs]\n");

    assertThat(granted.blobstore().endpoint()).isNull();
    assertThat(granted.blobstore().region()).isEqualTo("us-east-1");
    assertThat(granted.llm().baseUrl()).isNull();
    assertThat(granted.llm().maxTokens()).isEqualTo(8192);
    assertThat(granted.llm().provider()).isEqualTo(Llm.Provider.ANTHROPIC);
    assertThat(granted.llm().model()).isNull();
    assertThat(granted.fs().mode()).isEqualTo(Fs.Mode.TEMPDIR);
    assertThat(granted.db()).isNull();
    assertThat(granted.names()).containsExactly("blobstore", "llm", "fs");
  }

  @Test
  void secretFilesNeedNotExistWhenTheConfigurationLoads() {
    ModuleCapabilities granted =
        capabilities("[module.capabilities.db]\nurl_file = \"relative/db-url\"\n");

    assertThat(granted.db().urlFile())
        .isEqualTo(Path.of("relative/db-url").toAbsolutePath().normalize());
  }

  @Test
  void anUnknownCapabilityIsRejectedListingTheKnownOnes() {
    assertThat(errorOf("[module.capabilities.redis]\nurl_file = \"/x\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.redis is not a known key (expected one of:"
                + " blobstore, db, fs, llm, tracing)");
    assertThat(errorOf("[module.capabilities.db]\nurl = \"postgres://x\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.db.url is not a known key (expected one of:"
                + " migrations_path, url_file)");
    assertThat(errorOf("[module.capabilities]\ndb = true\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.db = true (expected: a table"
                + " [module[0].capabilities.db])");
  }

  @Test
  void theOriginalSystemsKeysStayUnknown() {
    assertThat(errorOf("database = true\n"))
        .isEqualTo(
            "engine.toml: module[0].database is not a known key (expected one of: capabilities,"
                + " channel_capacity, cpu_timeout_secs, env, max_concurrent_instances,"
                + " max_memory_size, name,"
                + " namespace, registry_auth_file, request_timeout_secs, schema_path, version,"
                + " wasm_image, wasm_path, wasm_sha256, wasm_url)");
    assertThat(errorOf("fs = \"tempdir\"\n"))
        .startsWith("engine.toml: module[0].fs is not a known key");
    assertThat(errorOf("[llm]\nprovider = \"openai\"\n"))
        .startsWith("engine.toml: llm is not a known key (expected one of: admin_address,");
  }

  @Test
  void theProviderIsAnthropicOrOpenai() {
    assertThat(errorOf(LLM.replace("anthropic", "gemini")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.provider = \"gemini\" (expected:"
                + " \"anthropic\" or \"openai\")");
    assertThat(errorOf(LLM.replace("provider = \"anthropic\"\n", "")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.provider is missing (expected:"
                + " \"anthropic\" or \"openai\")");
  }

  @Test
  void tracingIsGrantedWithAnOptionalSpanCap() {
    ModuleCapabilities plain = capabilities("[module.capabilities.tracing]\n");
    ModuleCapabilities capped = capabilities("[module.capabilities.tracing]\nmax_spans = 8\n");

    assertThat(plain.tracing()).isEqualTo(new ModuleCapabilities.Tracing(null));
    assertThat(plain.names()).containsExactly("tracing");
    assertThat(capped.tracing().maxSpans()).isEqualTo(8);
    EngineConfig config =
        EngineConfig.parse(
            "engine.toml", "[limits]\nspans = 50\n" + MODULE + "[module.capabilities.tracing]\n");
    ModuleConfig module = config.modules().get(0);
    assertThat(
            module
                .toDefinition(
                    ModuleDefinition.ExecutionMode.COMPILED,
                    Path.of("m.wasm"),
                    config.limits().spans())
                .grants())
        .isEqualTo(new HostGrants(Set.of(HostGrants.Capability.TRACING), 50));
    assertThat(capabilities("[module.capabilities.tracing]\nmax_spans = 8\n").tracing().maxSpans())
        .isEqualTo(8);
    assertThat(errorOf("[module.capabilities.tracing]\nmax_spans = 0\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.tracing.max_spans = 0 (expected: an integer from 1"
                + " to 1000000)");
    assertThat(errorOf("[module.capabilities.tracing]\nspans = 3\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.tracing.spans is not a known key (expected one"
                + " of: max_spans)");
  }

  @Test
  void maxTokensIsRangeChecked() {
    assertThat(errorOf(LLM + "max_tokens = 0\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.max_tokens = 0 (expected: an integer from 1"
                + " to 1000000)");
    assertThat(errorOf(LLM + "max_tokens = 1000001\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.max_tokens = 1000001 (expected: an integer"
                + " from 1 to 1000000)");
  }

  @Test
  void bucketsAreANonEmptyListOfValidNames() {
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[]")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.buckets = [] is empty (expected: at"
                + " least one S3 bucket name)");
    assertThat(errorOf(BLOBSTORE.replace("buckets = [\"orders\"]\n", "")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.buckets is missing (expected: an array"
                + " of S3 bucket names)");
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[\"orders\", \"Orders_2\"]")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.buckets[1] = \"Orders_2\" is not a"
                + " valid S3 bucket name (expected: 3-63 lowercase letters, digits, '.' and '-',"
                + " starting and ending with a letter or digit, without '..', not an IP address)");
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[\"192.168.0.1\"]")))
        .startsWith(
            "engine.toml: module[0].capabilities.blobstore.buckets[0] = \"192.168.0.1\" is not a"
                + " valid S3 bucket name");
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[\"a..b\"]")))
        .contains("buckets[0] = \"a..b\" is not a valid S3 bucket name");
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[\"ab\"]")))
        .contains("buckets[0] = \"ab\" is not a valid S3 bucket name");
    assertThat(errorOf(BLOBSTORE.replace("[\"orders\"]", "[\"orders\", \"orders\"]")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.buckets[1] = \"orders\" is listed"
                + " twice (expected: each bucket once)");
  }

  @Test
  void urlsAreHttpOrHttps() {
    assertThat(errorOf(BLOBSTORE + "endpoint = \"minio:9000\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.endpoint = \"minio:9000\" is not an"
                + " http(s) URL (expected: http:// or https://, a host, an optional port and path,"
                + " e.g. http://minio:9000)");
    assertThat(errorOf(LLM + "base_url = \"https://api.example.com/v1?key=x\"\n"))
        .startsWith(
            "engine.toml: module[0].capabilities.llm.base_url ="
                + " \"https://api.example.com/v1?key=x\" has user info, a query or a fragment");
    assertThat(errorOf(BLOBSTORE + "endpoint = \"\"\n"))
        .startsWith("engine.toml: module[0].capabilities.blobstore.endpoint = \"\" is not an");
  }

  @Test
  void requiredFilesAndOtherValuesAreChecked() {
    assertThatThrownBy(
            () ->
                EngineConfig.parse("engine.toml", MODULE + "[module.capabilities.db]\n")
                    .requireDatabases())
        .hasMessage(
            "engine.toml: module[0] (shop.orders@1.0.0) is granted [module.capabilities.db] but no"
                + " database is configured (expected: [module.capabilities.db] url_file, or"
                + " [database] url or url_file)");
    assertThatThrownBy(
            () ->
                EngineConfig.parse(
                        "engine.toml",
                        MODULE
                            + BLOBSTORE.replace(
                                "credentials_dir = \"/var/run/wr/blobstore\"\n", ""))
                    .requireBlobstores())
        .hasMessage(
            "engine.toml: module[0] (shop.orders@1.0.0) is granted [module.capabilities.blobstore]"
                + " but no credentials are configured (expected: [module.capabilities.blobstore]"
                + " credentials_dir, a directory holding the files accessKeyId and"
                + " secretAccessKey, or [blobstore] access_key_id and secret_access_key, or"
                + " [blobstore] credentials_dir)");
    assertThat(errorOf(LLM.replace("api_key_file = \"/var/run/wr/llm/key\"\n", "")))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.api_key_file is missing (expected: the path"
                + " of a file holding the API key)");
    assertThat(errorOf("[module.capabilities.db]\nurl_file = \"\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.db.url_file is empty (expected: a file path)");
    assertThat(errorOf(BLOBSTORE + "region = \"eu west\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.blobstore.region = \"eu west\" is not a valid"
                + " region (expected: 1-64 letters, digits, '-' and '_', e.g. us-east-1)");
    assertThat(errorOf("[module.capabilities.fs]\nmode = \"shared\"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.fs.mode = \"shared\" (expected: \"tempdir\")");
  }

  @Test
  void theLlmDefaultModelIsReadAndMayNotBeEmpty() {
    assertThat(capabilities(LLM + "model = \"claude-sonnet-4-5\"\n").llm().model())
        .isEqualTo("claude-sonnet-4-5");
    assertThat(errorOf(LLM + "model = \" \"\n"))
        .isEqualTo(
            "engine.toml: module[0].capabilities.llm.model is empty (expected: the provider's"
                + " name of a model)");
  }
}
