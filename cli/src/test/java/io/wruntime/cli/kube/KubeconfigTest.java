package io.wruntime.cli.kube;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.cli.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken kubeconfigs are usage errors that say what is wrong, never an internal message. */
class KubeconfigTest {
  @TempDir Path dir;

  private Map<String, String> env(String content) throws Exception {
    Path file = dir.resolve("config");
    Files.writeString(file, content);
    return Map.of("KUBECONFIG", file.toString());
  }

  @Test
  void anEmptyFileIsNamed() throws Exception {
    Map<String, String> env = env("");
    assertThatThrownBy(() -> Kubeconfig.load(env, null))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "kubeconfig "
                + dir.resolve("config")
                + " is empty (expected: the kubeconfig kubectl uses)");
  }

  @Test
  void aContextWhoseClusterIsNotDefinedIsNamed() throws Exception {
    Map<String, String> env =
        env(
            """
            apiVersion: v1
            kind: Config
            current-context: dev
            contexts:
            - name: dev
              context: {cluster: gone, user: me}
            users:
            - name: me
              user: {token: t}
            """);
    assertThatThrownBy(() -> Kubeconfig.load(env, null))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("context dev names cluster gone, which no kubeconfig file defines");
  }
}
