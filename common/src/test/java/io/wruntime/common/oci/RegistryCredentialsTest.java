package io.wruntime.common.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryCredentialsTest {
  @TempDir Path dir;

  private static String auth(String userPassword) {
    return Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsAuthAndUsernamePasswordEntriesUnderHostsAndUrls() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        "{\"auths\": {"
            + "\"https://Registry.Example.com/v1/\": {\"auth\": \""
            + auth("alice:a:b")
            + "\"},"
            + "\"ghcr.io\": {\"username\": \"bob\", \"password\": \"pw\"},"
            + "\"https://index.docker.io/v1/\": {\"auth\": \""
            + auth("carol:hub")
            + "\"}}}");

    RegistryCredentials credentials = RegistryCredentials.load(List.of(file));

    assertThat(credentials.forRegistry("registry.example.com"))
        .isEqualTo(new RegistryCredentials.Credential("alice", "a:b"));
    assertThat(credentials.forRegistry("ghcr.io"))
        .isEqualTo(new RegistryCredentials.Credential("bob", "pw"));
    assertThat(credentials.forRegistry("docker.io").username()).isEqualTo("carol");
    assertThat(credentials.forRegistry("quay.io")).isNull();
    assertThat(credentials.forRegistry("ghcr.io").toString()).doesNotContain("pw");
  }

  @Test
  void theFirstFileThatNamesAHostWins() throws Exception {
    Path first = dir.resolve("a.json");
    Path second = dir.resolve("b.json");
    Files.writeString(first, "{\"auths\": {\"r.io\": {\"auth\": \"" + auth("one:1") + "\"}}}");
    Files.writeString(
        second,
        "{\"auths\": {\"r.io\": {\"auth\": \""
            + auth("two:2")
            + "\"}, \"q.io\": {\"auth\": \""
            + auth("three:3")
            + "\"}}}");

    RegistryCredentials credentials = RegistryCredentials.load(List.of(first, second));

    assertThat(credentials.forRegistry("r.io").username()).isEqualTo("one");
    assertThat(credentials.forRegistry("q.io").username()).isEqualTo("three");
  }

  @Test
  void namesTheFileAndTheProblemWithoutSecrets() throws Exception {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> RegistryCredentials.load(List.of(missing)))
        .isInstanceOf(OciException.class)
        .hasMessage(
            "registry auth file "
                + missing
                + " does not exist (expected: a Docker config JSON file)");
    Path noAuths = dir.resolve("no-auths.json");
    Files.writeString(noAuths, "{\"credsStore\": \"desktop\"}");
    assertThatThrownBy(() -> RegistryCredentials.load(List.of(noAuths)))
        .hasMessageContaining("has no \"auths\" object");
    Path badAuth = dir.resolve("bad.json");
    Files.writeString(badAuth, "{\"auths\": {\"r.io\": {\"auth\": \"" + auth("secret") + "\"}}}");
    assertThatThrownBy(() -> RegistryCredentials.load(List.of(badAuth)))
        .hasMessageContaining("auths[\"r.io\"].auth decodes to no user:password pair")
        .hasMessageNotContaining("secret");
  }
}
