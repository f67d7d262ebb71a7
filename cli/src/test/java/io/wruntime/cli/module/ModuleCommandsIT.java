package io.wruntime.cli.module;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.cli.CliRun;
import io.wruntime.common.oci.Digest;
import io.wruntime.common.oci.testing.AuthProxy;
import io.wruntime.common.oci.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wr-cli module push} and {@code pull} against a real distribution registry on loopback. */
class ModuleCommandsIT {
  private static final Pattern REFERENCE = Pattern.compile("reference: (\\S+)");
  private static TestRegistry registry;
  private static Path echo;
  private static Path echoSchema;
  private static Path caller;
  private static Path echoProto;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
    echo = root.resolve("examples/echo/echo.wasm");
    echoSchema = root.resolve("examples/schemas/echo.binpb");
    caller = root.resolve("examples/caller/caller.wasm");
    echoProto = root.resolve("examples/schemas/echo.proto");
    registry = TestRegistry.start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static String pinned(CliRun run) {
    Matcher m = REFERENCE.matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    return m.group(1);
  }

  @Test
  void pushThenPullGivesTheSameModuleAndSchema() throws Exception {
    String ref = registry.address() + "/wruntime/echo:1.0.0";

    CliRun push =
        CliRun.run("module", "push", echo.toString(), ref, "--schema", echoSchema.toString());

    assertThat(push.exitCode()).as(push.err()).isZero();
    Matcher digest = Pattern.compile("digest:    (sha256:[a-f0-9]{64})\n").matcher(push.out());
    assertThat(digest.find()).as(push.out()).isTrue();
    assertThat(pinned(push)).isEqualTo(ref + "@" + digest.group(1));

    Path module = dir.resolve("out/echo.wasm");
    Path schema = dir.resolve("out/echo.binpb");
    CliRun pull =
        CliRun.run(
            "module", "pull", ref, "--file", module.toString(), "--schema-out", schema.toString());

    assertThat(pull.exitCode()).as(pull.err()).isZero();
    assertThat(module).hasSameBinaryContentAs(echo);
    assertThat(schema).hasSameBinaryContentAs(echoSchema);
    assertThat(pinned(pull)).isEqualTo(pinned(push));
    assertThat(pull.out())
        .contains("module:    " + module + " (" + Digest.of(echo) + ")")
        .contains("schema:    " + schema + " (" + Digest.of(echoSchema) + ")");
  }

  @Test
  void aPinnedPullIsNotMovedByATag() throws Exception {
    String tag = registry.address() + "/wruntime/moving:stable";
    String first = pinned(CliRun.run("module", "push", echo.toString(), tag));
    CliRun second = CliRun.run("module", "push", caller.toString(), tag);
    assertThat(second.exitCode()).as(second.err()).isZero();

    CliRun byDigest = CliRun.run("module", "pull", first, "-f", dir.resolve("a.wasm").toString());
    CliRun byTag = CliRun.run("module", "pull", tag, "-f", dir.resolve("b.wasm").toString());

    assertThat(byDigest.exitCode()).as(byDigest.err()).isZero();
    assertThat(dir.resolve("a.wasm")).hasSameBinaryContentAs(echo);
    assertThat(dir.resolve("b.wasm")).hasSameBinaryContentAs(caller);
    assertThat(pinned(byTag)).isEqualTo(pinned(second)).isNotEqualTo(first);
  }

  @Test
  void jsonOutputNamesTheDigests() throws Exception {
    String ref = registry.address() + "/wruntime/json:1.0.0";
    CliRun push = CliRun.run("-o", "json", "module", "push", echo.toString(), ref);

    assertThat(push.exitCode()).as(push.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(push.out());
    assertThat(json.path("reference").asText()).isEqualTo(ref + "@" + json.path("digest").asText());
    assertThat(json.path("wasm").asText()).isEqualTo(Digest.of(echo).toString());
    assertThat(json.has("schema")).isFalse();
  }

  @Test
  void failuresAreOneLineWithExitCodeOneAndMalformedInputTwo() throws Exception {
    String ref = registry.address() + "/wruntime/noschema:1.0.0";
    CliRun.run("module", "push", echo.toString(), ref);

    CliRun noSchema =
        CliRun.run(
            "module",
            "pull",
            ref,
            "-f",
            dir.resolve("x.wasm").toString(),
            "--schema-out",
            dir.resolve("x.binpb").toString());
    CliRun badRef = CliRun.run("module", "pull", "echo:1.0.0");
    CliRun notWasm = CliRun.run("module", "push", echoSchema.toString(), ref);
    CliRun missing = CliRun.run("module", "pull", registry.address() + "/wruntime/none:1");
    CliRun protoAsSchema =
        CliRun.run("module", "push", echo.toString(), ref, "--schema", echoProto.toString());
    CliRun intoDirectory = CliRun.run("module", "pull", ref, "-f", dir.toString());

    assertThat(noSchema.exitCode()).isEqualTo(1);
    assertThat(noSchema.err())
        .startsWith("wr-cli: " + ref + "@sha256:")
        .contains("has no schema layer");
    assertThat(badRef.exitCode()).as("a malformed reference is a usage error").isEqualTo(2);
    assertThat(badRef.err())
        .startsWith("wr-cli: OCI reference: \"echo:1.0.0\" names no registry host");
    assertThat(notWasm.exitCode()).isEqualTo(1);
    assertThat(notWasm.err()).contains("is not a WebAssembly binary");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("has no manifest").contains("404");
    assertThat(protoAsSchema.exitCode()).isEqualTo(1);
    assertThat(protoAsSchema.err())
        .contains("echo.proto is not a compiled schema")
        .contains("not the .proto source");
    assertThat(intoDirectory.exitCode()).isEqualTo(1);
    assertThat(intoDirectory.err())
        .isEqualTo(
            "wr-cli: " + dir + " is a directory (expected: the path of the file to write)\n");
    assertThat(dir).isDirectory();
  }

  @Test
  void bearerTokenAuthWithAnAuthFile() throws Exception {
    try (AuthProxy proxy = AuthProxy.start(registry, AuthProxy.Mode.BEARER, "dev", "pw")) {
      Path good = dir.resolve("good.json");
      Path bad = dir.resolve("bad.json");
      Files.writeString(good, authFile(proxy.address(), "dev:pw"));
      Files.writeString(bad, authFile(proxy.address(), "dev:wrong"));
      String ref = proxy.address() + "/team/echo:1.0.0";

      CliRun anonymous = CliRun.run("module", "push", echo.toString(), ref);
      CliRun wrong =
          CliRun.run("module", "push", echo.toString(), ref, "--auth-file", bad.toString());
      CliRun push =
          CliRun.run("module", "push", echo.toString(), ref, "--auth-file", good.toString());
      CliRun pull =
          CliRun.run(
              "module",
              "pull",
              ref,
              "-f",
              dir.resolve("p.wasm").toString(),
              "--auth-file",
              good.toString());

      assertThat(anonymous.exitCode()).isEqualTo(1);
      assertThat(anonymous.err()).contains("refused an anonymous token");
      assertThat(wrong.exitCode()).isEqualTo(1);
      assertThat(wrong.err())
          .contains("refused the credentials of user dev")
          .doesNotContain("wrong");
      assertThat(push.exitCode()).as(push.err()).isZero();
      assertThat(pull.exitCode()).as(pull.err()).isZero();
      assertThat(dir.resolve("p.wasm")).hasSameBinaryContentAs(echo);
    }
  }

  private static String authFile(String host, String userPassword) {
    return "{\"auths\":{\""
        + host
        + "\":{\"auth\":\""
        + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8))
        + "\"}}}";
  }
}
