package io.wruntime.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.engine.config.ModuleCapabilities.Blobstore;
import io.wruntime.engine.config.ModuleCapabilities.Keys;
import io.wruntime.engine.module.ModuleDefinition;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's {@code [blobstore]} and how {@code [module.capabilities.blobstore]} builds on it.
 */
class BlobstoreConfigTest {
  private static final String SECRET = "s3cr3t-Value-4f2a";

  private static final String MODULE =
      """
      [[module]]
      name = "orders"
      namespace = "shop"
      version = "1.0.0"
      wasm_path = "/opt/orders.wasm"
      [module.capabilities.blobstore]
      buckets = ["orders"]
      """;

  private static final Map<String, String> ENV =
      Map.of("S3_KEY_ID", "AKIDEXAMPLE", "S3_SECRET", SECRET);

  private static Blobstore blobstore(String text) {
    return EngineConfig.parse("engine.toml", text, ENV).modules().get(0).capabilities().blobstore();
  }

  private static String errorOf(String text) {
    try {
      EngineConfig.parse("engine.toml", text, ENV);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a configuration error for:\n" + text);
  }

  @Test
  void theEnginesSettingsAreEveryModulesDefaults() {
    Blobstore grant =
        blobstore(
            """
            [blobstore]
            endpoint = "http://minio:9000"
            region = "eu-west-1"
            access_key_id = "${S3_KEY_ID}"
            secret_access_key = "${S3_SECRET}"
            max_object_size = 1048576
            max_list_objects = 100
            """
                + MODULE);

    assertThat(grant)
        .isEqualTo(
            new Blobstore(
                URI.create("http://minio:9000"),
                "eu-west-1",
                List.of("orders"),
                null,
                new Keys("AKIDEXAMPLE", SECRET),
                1048576,
                100,
                true));
    assertThat(grant.toString()).doesNotContain(SECRET).contains("secretAccessKey=<hidden>");
  }

  @Test
  void defaultsWithoutEngineSettings() {
    Blobstore grant = blobstore(MODULE + "credentials_dir = \"/run/s3\"\n");

    assertThat(grant.endpoint()).isNull();
    assertThat(grant.region()).isEqualTo("us-east-1");
    assertThat(grant.maxObjectSize()).isEqualTo(16L * 1024 * 1024);
    assertThat(grant.maxListObjects()).isEqualTo(1000);
    assertThat(grant.pathStyle()).as("AWS S3: virtual-hosted buckets").isFalse();
    assertThat(grant.credentialsDir()).isEqualTo(Path.of("/run/s3"));
    assertThat(grant.keys()).isNull();
  }

  @Test
  void aModulesEndpointRegionAndCredentialsDirOverrideTheEngines() {
    Blobstore grant =
        blobstore(
            """
            [blobstore]
            endpoint = "http://minio:9000"
            region = "eu-west-1"
            access_key_id = "${S3_KEY_ID}"
            secret_access_key = "${S3_SECRET}"
            path_style = false
            """
                + MODULE
                + """
                endpoint = "https://s3.example.com"
                region = "us-west-2"
                credentials_dir = "/run/module-s3"
                """);

    assertThat(grant.endpoint()).isEqualTo(URI.create("https://s3.example.com"));
    assertThat(grant.region()).isEqualTo("us-west-2");
    assertThat(grant.credentialsDir()).isEqualTo(Path.of("/run/module-s3"));
    assertThat(grant.keys()).as("the module's own credentials replace the engine's").isNull();
    assertThat(grant.pathStyle()).isFalse();
  }

  @Test
  void theEnginesCredentialsDirServesModulesWithoutTheirOwn() {
    Blobstore grant = blobstore("[blobstore]\ncredentials_dir = \"/run/s3\"\n" + MODULE);

    assertThat(grant.accessKeyIdFile()).isEqualTo(Path.of("/run/s3/accessKeyId"));
    assertThat(grant.secretAccessKeyFile()).isEqualTo(Path.of("/run/s3/secretAccessKey"));
  }

  @Test
  void aGrantWithoutCredentialsAnywhereIsAnErrorNamingTheKeys() {
    // Read without complaint (wr-cli dev up may still give it its embedded S3), refused at start.
    EngineConfig config =
        EngineConfig.parse(
            "engine.toml", "[blobstore]\nendpoint = \"http://minio:9000\"\n" + MODULE);
    assertThatThrownBy(config::requireBlobstores)
        .hasMessage(
            "engine.toml: module[0] (shop.orders@1.0.0) is granted [module.capabilities.blobstore]"
                + " but no credentials are configured (expected: [module.capabilities.blobstore]"
                + " credentials_dir, a directory holding the files accessKeyId and"
                + " secretAccessKey, or [blobstore] access_key_id and secret_access_key, or"
                + " [blobstore] credentials_dir)");
  }

  @Test
  void badEngineValuesAreErrorsThatNeverShowTheSecret() {
    assertThat(errorOf("[blobstore]\nsecret_access_key = \"" + SECRET + "\"\n" + MODULE))
        .isEqualTo(
            "engine.toml: blobstore.access_key_id is missing while secret_access_key is set"
                + " (expected: both keys, or neither)");
    assertThat(
            errorOf(
                "[blobstore]\naccess_key_id = \"AKID\"\nsecret_access_key = \"${UNSET_SECRET}\"\n"
                    + MODULE))
        .isEqualTo(
            "engine.toml: blobstore.secret_access_key cannot be read (expected: a string, or"
                + " \"${NAME}\" naming a set environment variable)");
    String numeric =
        errorOf("[blobstore]\naccess_key_id = \"AKID\"\nsecret_access_key = 12345678\n" + MODULE);
    assertThat(numeric).doesNotContain("12345678").contains("blobstore.secret_access_key");
    String empty =
        errorOf("[blobstore]\naccess_key_id = \"AKID\"\nsecret_access_key = \"  \"\n" + MODULE);
    assertThat(empty).startsWith("engine.toml: blobstore.secret_access_key is empty");
    String both =
        errorOf(
            "[blobstore]\naccess_key_id = \"AKID\"\nsecret_access_key = \""
                + SECRET
                + "\"\ncredentials_dir = \"/run/s3\"\n"
                + MODULE);
    assertThat(both)
        .startsWith("engine.toml: blobstore.credentials_dir is set with access_key_id and")
        .doesNotContain(SECRET);
    assertThat(errorOf("[blobstore]\nmax_object_size = 0\n" + MODULE))
        .startsWith("engine.toml: blobstore.max_object_size");
    assertThat(errorOf("[blobstore]\nmax_list_objects = 1001\n" + MODULE))
        .startsWith("engine.toml: blobstore.max_list_objects");
    assertThat(errorOf("[blobstore]\nregion = \"eu west\"\n" + MODULE))
        .startsWith("engine.toml: blobstore.region = ");
    assertThat(errorOf("[blobstore]\nendpoint = \"minio:9000\"\n" + MODULE))
        .startsWith("engine.toml: blobstore.endpoint = \"minio:9000\" is not an");
    assertThat(errorOf("[blobstore]\nbucket = \"x\"\n" + MODULE))
        .startsWith("engine.toml: blobstore.bucket is not a known key");
  }

  @Test
  void anEndpointWithCredentialsInItIsRefusedWithoutShowingThem() {
    // A careless operator puts the key into the URL: the error must not print it to the log.
    String engine =
        "[blobstore]\nendpoint = \"http://AKIDEXAMPLE:${S3_SECRET}@minio:9000\"\n" + MODULE;
    assertThat(errorOf(engine))
        .isEqualTo(
            "engine.toml: blobstore.endpoint = \"http://<user info hidden>@minio:9000\" has user"
                + " info, a query or a fragment (expected: http:// or https://, a host, an optional"
                + " port and path, e.g. http://minio:9000)")
        .doesNotContain(SECRET);
    String module =
        MODULE
            + "credentials_dir = \"/run/s3\"\nendpoint = \"https://k:${S3_SECRET}@s3.example\"\n";
    assertThat(errorOf(module))
        .contains("endpoint = \"https://<user info hidden>@s3.example\" has user info")
        .doesNotContain(SECRET);
  }

  @Test
  void blobObjectsLimitReachesTheGrants() {
    EngineConfig config =
        EngineConfig.parse(
            "engine.toml",
            "[limits]\nblob_objects = 7\n" + MODULE + "credentials_dir = \"/run/s3\"\n",
            ENV);
    assertThat(config.limits().blobObjects()).isEqualTo(7);
    ModuleDefinition definition =
        config
            .modules()
            .get(0)
            .toDefinition(
                ModuleDefinition.ExecutionMode.INTERPRETED, Path.of("/x.wasm"), config.limits());
    assertThat(definition.grants().maxBlobObjects()).isEqualTo(7);
    assertThat(definition.grants().blobstore().buckets()).containsExactly("orders");
    assertThat(EngineConfig.parse("engine.toml", "", ENV).limits().blobObjects()).isEqualTo(64);
    assertThat(errorOf("[limits]\nblob_objects = 0\n"))
        .startsWith("engine.toml: limits.blob_objects");
  }
}
