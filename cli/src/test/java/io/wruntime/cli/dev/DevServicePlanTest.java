package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.cli.dev.DevServicePlan.EngineNeeds;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevServicePlanTest {
  @Test
  void nothingWhenNoEngineUsesADatabaseOrABlobStore() {
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(new EngineNeeds("a.toml", false, false, false, false, List.of())));
    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan).isEqualTo(DevServicePlan.NONE);
  }

  @Test
  void nothingWhenTheServersAreConfigured() {
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(new EngineNeeds("a.toml", true, true, true, true, List.of("photos"))));
    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.buckets()).isEmpty();
  }

  @Test
  void onlyWhatIsNeededAndNotConfigured() {
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(
                new EngineNeeds("db.toml", true, false, true, true, List.of("elsewhere")),
                new EngineNeeds("plain.toml", false, false, false, false, List.of())));
    assertThat(plan.postgres()).isTrue();
    assertThat(plan.s3()).isFalse();
    assertThat(plan.buckets()).isEmpty();
    assertThat(plan.reasons())
        .containsExactly("a database, none configured: db.toml (embedded PostgreSQL)");
  }

  @Test
  void theBucketsOfEveryEngineThatNeedsTheEmbeddedS3() {
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(
                new EngineNeeds("a.toml", false, false, true, false, List.of("photos", "docs")),
                new EngineNeeds("b.toml", false, false, true, false, List.of("docs", "audio")),
                new EngineNeeds("c.toml", false, false, true, true, List.of("remote"))));
    assertThat(plan.postgres()).isFalse();
    assertThat(plan.s3()).isTrue();
    assertThat(plan.buckets()).containsExactly("audio", "docs", "photos");
    assertThat(plan.reasons())
        .containsExactly("a blob store, none configured: a.toml, b.toml (embedded S3)");
  }
}
