package io.wruntime.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.wruntime.operator.Fixtures;
import org.junit.jupiter.api.Test;

class EngineTomlTest {
  private static final TomlMapper TOML = new TomlMapper();

  @Test
  void engineConfigHostsTheModuleOnLoopbackAndRegistersThroughTheProxy() throws Exception {
    JsonNode engine = TOML.readTree(EngineToml.engine(Fixtures.plan(Fixtures.ECHO)));
    assertThat(engine.get("listen_address").asText()).isEqualTo("127.0.0.1:9100");
    assertThat(engine.get("admin_address").asText()).isEqualTo("0.0.0.0:9090");
    assertThat(engine.get("node").get("proxy_address").asText()).isEqualTo("http://127.0.0.1:9001");
    JsonNode module = engine.get("module").get(0);
    assertThat(module.get("name").asText()).isEqualTo("echo");
    assertThat(module.get("namespace").asText()).isEqualTo("shop");
    assertThat(module.get("version").asText()).isEqualTo("1.0.0");
    assertThat(module.get("wasm_path").asText()).isEqualTo("/var/lib/wruntime/module/module.wasm");
    assertThat(module.get("schema_path").asText()).isEqualTo("/etc/wruntime/schema.binpb");
  }

  @Test
  void literalsAreEscapedSecretsAreOnlyReferencedAndCapabilitiesRendered() throws Exception {
    String yaml =
        Fixtures.ECHO
            + """
              env:
                - {name: QUOTE, value: "say \\"hi\\" to $HOME\\\\n"}
                - {name: TOKEN, secretKeyRef: {name: tokens, key: api}}
              limits: {memory: 16Mi, requestTimeoutSeconds: 5, maxConcurrentInstances: 8, queueDepth: 0}
              capabilities:
                blobstore: {endpoint: "http://s3:9000", buckets: [a, b], credentialsSecret: s3}
                llm: {provider: openai, apiKeySecretRef: {name: llm, key: key}, maxTokens: 100}
                tracing: {maxSpans: 64}
            """;
    String text = EngineToml.engine(Fixtures.plan(yaml));
    JsonNode module = TOML.readTree(text).get("module").get(0);
    assertThat(module.get("env").get("QUOTE").asText()).isEqualTo("say \"hi\" to $$HOME\\n");
    assertThat(module.get("env").get("TOKEN").asText()).isEqualTo("${WR_ENV_TOKEN}");
    assertThat(module.get("max_memory_size").asLong()).isEqualTo(16 * 1024 * 1024);
    assertThat(module.get("request_timeout_secs").asInt()).isEqualTo(5);
    assertThat(module.get("max_concurrent_instances").asInt()).isEqualTo(8);
    assertThat(module.get("channel_capacity").asInt()).isZero();
    JsonNode caps = module.get("capabilities");
    assertThat(caps.get("blobstore").get("buckets")).hasSize(2);
    assertThat(caps.get("blobstore").get("credentials_dir").asText())
        .isEqualTo("/var/run/secrets/wruntime/blobstore");
    assertThat(caps.get("llm").get("provider").asText()).isEqualTo("openai");
    assertThat(caps.get("llm").get("api_key_file").asText())
        .isEqualTo("/var/run/secrets/wruntime/llm/api-key");
    assertThat(caps.get("tracing").get("max_spans").asInt()).isEqualTo(64);
  }

  @Test
  void proxyConfigTakesItsPeerAddressFromThePod() throws Exception {
    JsonNode proxy = TOML.readTree(EngineToml.proxy(Fixtures.plan(Fixtures.ECHO)));
    assertThat(proxy.get("listen_address").asText()).isEqualTo("127.0.0.1:9001");
    assertThat(proxy.get("manager_address").asText())
        .isEqualTo("wruntime-manager.wruntime-system.svc:9000");
    assertThat(proxy.get("node").get("proxy_address").asText()).isEqualTo("${POD_IP}:9443");
    assertThat(proxy.get("node").get("peer_listen_address").asText()).isEqualTo("0.0.0.0:9443");
  }

  @Test
  void withANodeTlsSecretTheProxyUsesItsMountedCertificate() throws Exception {
    JsonNode plain = TOML.readTree(EngineToml.proxy(Fixtures.plan(Fixtures.ECHO)));
    JsonNode tls = TOML.readTree(EngineToml.proxy(Fixtures.planWithNodeTls(Fixtures.ECHO)));

    assertThat(plain.get("node").has("tls")).isFalse();
    JsonNode files = tls.get("node").get("tls");
    assertThat(files.get("cert_path").asText())
        .isEqualTo("/var/run/secrets/wruntime/node-tls/tls.crt");
    assertThat(files.get("key_path").asText())
        .isEqualTo("/var/run/secrets/wruntime/node-tls/tls.key");
    assertThat(files.get("ca_cert_path").asText())
        .isEqualTo("/var/run/secrets/wruntime/node-tls/ca.crt");
  }

  @Test
  void anImageSourceIsFetchedByTheEngineWithEachPullSecret() throws Exception {
    String yaml =
        Fixtures.ECHO.replace(
            "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
            "source: {image: \"registry.example.com:5000/team/echo:1.0.0@sha256:"
                + "c".repeat(64)
                + "\", imagePullSecrets: [{name: a}, {name: b}]}");
    JsonNode module = TOML.readTree(EngineToml.engine(Fixtures.plan(yaml))).get("module").get(0);

    assertThat(module.has("wasm_path")).isFalse();
    assertThat(module.get("wasm_image").asText())
        .isEqualTo("registry.example.com:5000/team/echo:1.0.0@sha256:" + "c".repeat(64));
    assertThat(module.get("registry_auth_file"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "/var/run/secrets/wruntime/registry/0.json",
            "/var/run/secrets/wruntime/registry/1.json");
    assertThat(module.get("schema_path").asText()).isEqualTo("/etc/wruntime/schema.binpb");
  }

  @Test
  void aUrlSourceIsFetchedAndVerifiedByTheEngine() throws Exception {
    String yaml =
        Fixtures.ECHO.replace(
            "source: {configMapRef: {name: echo-wasm, key: echo.wasm}}",
            "source: {url: \"https://example.com/echo.wasm\", sha256: " + "d".repeat(64) + "}");
    JsonNode module = TOML.readTree(EngineToml.engine(Fixtures.plan(yaml))).get("module").get(0);

    assertThat(module.has("wasm_path")).isFalse();
    assertThat(module.has("registry_auth_file")).isFalse();
    assertThat(module.get("wasm_url").asText()).isEqualTo("https://example.com/echo.wasm");
    assertThat(module.get("wasm_sha256").asText()).isEqualTo("d".repeat(64));
  }
}
