package io.wruntime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.ModuleConfig;
import org.junit.jupiter.api.Test;

class CapabilitiesNoticeTest {
  private static ModuleConfig module(String capabilities) {
    return EngineConfig.parse(
            "engine.toml",
            """
            [[module]]
            name = "orders"
            namespace = "shop"
            version = "1.0.0"
            wasm_path = "/opt/orders.wasm"
            """
                + capabilities)
        .modules()
        .get(0);
  }

  @Test
  void namesTheGrantsAndWhatAModuleUsingThemGets() {
    assertThat(
            Engine.capabilitiesNotice(
                module(
                    """
                    [module.capabilities.db]
                    url_file = "/var/run/wr/db/url"
                    [module.capabilities.fs]
                    """)))
        .isEqualTo(
            "module shop.orders@1.0.0 is granted fs, which this engine does not implement"
                + " yet: wasi:filesystem preopens and wasi_snapshot_preview1 file calls find no"
                + " directory");
    assertThat(
            Engine.capabilitiesNotice(
                module(
                    """
                    [module.capabilities.llm]
                    provider = "openai"
                    api_key_file = "/var/run/wr/llm/key"
                    """)))
        .isNull();
  }

  @Test
  void tracingAndLlmAreImplementedSoTheyAloneNeedNoNotice() {
    assertThat(Engine.capabilitiesNotice(module("[module.capabilities.tracing]\n"))).isNull();
    assertThat(
            Engine.capabilitiesNotice(
                module(
                    "[module.capabilities.tracing]\n[module.capabilities.fs]\nmode = \"tempdir\"\n")))
        .startsWith("module shop.orders@1.0.0 is granted fs, which");
  }

  @Test
  void neverShowsThePathsOfSecretFiles() {
    assertThat(
            Engine.capabilitiesNotice(
                module(
                    "[module.capabilities.db]\nurl_file = \"/var/run/wr/db/url\"\n"
                        + "[module.capabilities.fs]\n")))
        .doesNotContain("/var/run");
  }
}
