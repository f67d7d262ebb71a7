package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.config.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code dev up} reads from an engine configuration to decide on the embedded services. */
class DevUpNeedsTest {
  private static final String MODULE =
      """
      [[module]]
      name = "inventory"
      namespace = "shop"
      version = "1.0.0"
      wasm_path = "inventory.wasm"
      """;

  private static DevServicePlan.EngineNeeds needs(String text) {
    return DevUpCommand.needsOf(EngineConfig.parse("engine.toml", text));
  }

  @Test
  void aModuleWithoutGrantsNeedsNothing() {
    DevServicePlan.EngineNeeds needs = needs(MODULE);

    assertThat(needs.usesDatabase()).isFalse();
    assertThat(needs.usesBlobstore()).isFalse();
    assertThat(DevServicePlan.of(List.of(needs)).isEmpty()).isTrue();
  }

  @Test
  void grantsThatNameTheirServersStartNothing() {
    DevServicePlan.EngineNeeds needs =
        needs(
            MODULE
                + """
                [module.capabilities.db]
                url_file = "/var/run/wr/db/url"
                [module.capabilities.blobstore]
                endpoint = "http://minio.storage:9000"
                buckets = ["orders", "invoices"]
                credentials_dir = "/var/run/wr/blobstore"
                """);

    assertThat(needs.source()).isEqualTo("engine.toml");
    assertThat(needs.usesDatabase()).isTrue();
    assertThat(needs.databaseConfigured()).isTrue();
    assertThat(needs.usesBlobstore()).isTrue();
    assertThat(needs.blobstoreConfigured()).isTrue();
    assertThat(needs.buckets()).containsExactly("orders", "invoices");
    assertThat(DevServicePlan.of(List.of(needs)).isEmpty()).isTrue();
  }

  @Test
  void aDbGrantWithoutItsOwnUrlUsesTheEnginesDatabaseOrElseTheEmbeddedOne() {
    DevServicePlan.EngineNeeds embedded = needs(MODULE + "[module.capabilities.db]\n");
    assertThat(embedded.usesDatabase()).isTrue();
    assertThat(embedded.databaseConfigured()).isFalse();
    assertThat(DevServicePlan.of(List.of(embedded)).isEmpty()).isFalse();

    DevServicePlan.EngineNeeds engine =
        needs(
            "[database]\nurl = \"postgresql://app:pw@db:5432/shop\"\n"
                + MODULE
                + "[module.capabilities.db]\n");
    assertThat(engine.databaseConfigured()).isTrue();
    assertThat(DevServicePlan.of(List.of(engine)).isEmpty()).isTrue();
  }

  @Test
  void withoutEmbeddedServicesTheConfigsStayAsTheyAre() {
    EngineConfig config = EngineConfig.parse("engine.toml", MODULE + "[module.capabilities.db]\n");
    assertThat(DevUpCommand.withEmbeddedServices(List.of(config), null)).containsExactly(config);
  }

  @Test
  void aBlobGrantWithoutCredentialsUsesTheEmbeddedS3UnlessTheEngineHasKeys() {
    DevServicePlan.EngineNeeds embedded =
        needs(MODULE + "[module.capabilities.blobstore]\nbuckets = [\"photos\"]\n");
    assertThat(embedded.usesBlobstore()).isTrue();
    assertThat(embedded.blobstoreConfigured()).isFalse();
    DevServicePlan plan = DevServicePlan.of(List.of(embedded));
    assertThat(plan.isEmpty()).isFalse();
    assertThat(plan.buckets()).containsExactly("photos");

    DevServicePlan.EngineNeeds engine =
        needs(
            "[blobstore]\nendpoint = \"http://minio:9000\"\naccess_key_id = \"id\"\n"
                + "secret_access_key = \"secret\"\n"
                + MODULE
                + "[module.capabilities.blobstore]\nbuckets = [\"photos\"]\n");
    assertThat(engine.blobstoreConfigured()).isTrue();
    assertThat(DevServicePlan.of(List.of(engine)).isEmpty()).isTrue();
  }
}
