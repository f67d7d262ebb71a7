package io.wruntime.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.wruntime.common.names.SemVer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WasmModuleTest {
  private static WasmModule parse(String yaml) {
    return Serialization.unmarshal(yaml, WasmModule.class);
  }

  @Test
  void moduleAndNamespaceDefaultToTheMetadata() {
    WasmModule wm =
        parse(
            """
            apiVersion: wruntime.io/v1alpha1
            kind: WasmModule
            metadata: {name: echo, namespace: shop}
            spec:
              version: 1.0.0
              source: {configMapRef: {name: echo-wasm, key: echo.wasm}}
            """);
    assertThat(wm.moduleName()).isEqualTo("echo");
    assertThat(wm.logicalNamespace()).isEqualTo("shop");
    assertThat(wm.getSpec().desiredReplicas()).isEqualTo(1);
    assertThat(wm.getSpec().source().kind()).isEqualTo("configMapRef");
  }

  @Test
  void explicitModuleAndNamespaceWin() {
    WasmModule wm =
        parse(
            """
            apiVersion: wruntime.io/v1alpha1
            kind: WasmModule
            metadata: {name: echo-v2, namespace: shop}
            spec:
              module: echo
              namespace: example
              version: 2.0.0
              replicas: 3
              source: {image: registry.example.com/team/echo:2.0.0}
            """);
    assertThat(wm.moduleName()).isEqualTo("echo");
    assertThat(wm.logicalNamespace()).isEqualTo("example");
    assertThat(wm.getSpec().desiredReplicas()).isEqualTo(3);
  }

  @Test
  void unknownCapabilitiesAreKeptForTheOperatorToName() {
    WasmModule wm =
        parse(
            """
            apiVersion: wruntime.io/v1alpha1
            kind: WasmModule
            metadata: {name: echo, namespace: shop}
            spec:
              version: 1.0.0
              source: {configMapRef: {name: echo-wasm, key: echo.wasm}}
              capabilities:
                fs: {mode: tempdir}
                redis: {secretRef: {name: r, key: url}}
            """);
    assertThat(wm.getSpec().capabilities().getFs().mode()).isEqualTo("tempdir");
    assertThat(wm.getSpec().capabilities().getUnknown()).containsOnlyKeys("redis");
  }

  @Test
  void theCrdVersionPatternAcceptsWhatSemVerParses() {
    Pattern crd = Pattern.compile("^" + SemVer.REGEX + "$");
    for (String ok : new String[] {"1.0.0", "0.1.2-rc.1", "10.20.30+build.5", "1.0.0-alpha-1"}) {
      assertThat(crd.matcher(ok).matches()).as(ok).isTrue();
      SemVer.parse(ok);
    }
    for (String bad : new String[] {"1.0", "v1.0.0", "01.0.0", "1.0.0-", "abc", "1.0.0 "}) {
      assertThat(crd.matcher(bad).matches()).as(bad).isFalse();
    }
  }
}
