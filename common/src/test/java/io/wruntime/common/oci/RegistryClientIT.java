package io.wruntime.common.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.oci.testing.AuthProxy;
import io.wruntime.common.oci.testing.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryClient} against a real distribution registry on loopback. */
class RegistryClientIT {
  private static TestRegistry registry;

  @TempDir Path cacheDir;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start();
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  static byte[] module(String marker) {
    byte[] tail = marker.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[8 + tail.length];
    byte[] header = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    System.arraycopy(header, 0, bytes, 0, 8);
    System.arraycopy(tail, 0, bytes, 8, tail.length);
    return bytes;
  }

  private RegistryClient anonymous() {
    return RegistryClient.builder().build();
  }

  @Test
  void pushThenPullGivesTheSameBytesAndSchemaPinnedToTheManifest() throws Exception {
    byte[] wasm = module("push-pull");
    byte[] schema = "schema-bytes".getBytes(StandardCharsets.UTF_8);
    OciReference ref = OciReference.parse(registry.address() + "/wruntime/echo:1.0.0");

    PushedModule pushed = anonymous().push(ref, wasm, schema);
    PulledModule pulled = anonymous().pull(ref, new BlobCache(cacheDir));

    assertThat(pushed.reference().toString()).isEqualTo(ref + "@" + pushed.manifestDigest());
    assertThat(pulled.reference()).isEqualTo(pushed.reference());
    assertThat(Files.readAllBytes(pulled.wasmFile())).isEqualTo(wasm);
    assertThat(Files.readAllBytes(pulled.schemaFile())).isEqualTo(schema);
    assertThat(pulled.wasm().mediaType()).isEqualTo(MediaTypes.WASM_LAYER);
    assertThat(pulled.schema().mediaType()).isEqualTo(MediaTypes.SCHEMA_LAYER);
    // The same module gives the same manifest: a second push is a no-op with the same digest.
    assertThat(anonymous().push(ref, wasm, schema).manifestDigest())
        .isEqualTo(pushed.manifestDigest());
  }

  @Test
  void aPinnedPullIgnoresATagMovedToOtherContent() throws Exception {
    OciReference tag = OciReference.parse(registry.address() + "/wruntime/moving:stable");
    PushedModule first = anonymous().push(tag, module("first"), null);
    anonymous().push(tag, module("second"), null);

    PulledModule pinned = anonymous().pull(first.reference(), new BlobCache(cacheDir));
    PulledModule latest = anonymous().pull(tag, new BlobCache(cacheDir.resolve("other")));

    assertThat(Files.readAllBytes(pinned.wasmFile())).isEqualTo(module("first"));
    assertThat(pinned.schemaFile()).isNull();
    assertThat(Files.readAllBytes(latest.wasmFile())).isEqualTo(module("second"));
    assertThat(latest.manifestDigest()).isNotEqualTo(first.manifestDigest());
  }

  @Test
  void aPinnedPullWhoseManifestDigestDiffersFails() throws Exception {
    OciReference tag = OciReference.parse(registry.address() + "/wruntime/pinned:1.0.0");
    anonymous().push(tag, module("pinned"), null);
    Digest wrong = Digest.of(new byte[] {1, 2, 3});

    assertThatThrownBy(() -> anonymous().pull(tag.pinned(wrong), new BlobCache(cacheDir)))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("has no manifest")
        .hasMessageContaining(wrong.toString());
  }

  @Test
  void aTamperedBlobFailsNamingTheExpectedAndActualDigest() throws Exception {
    byte[] wasm = module("tampered-content-of-some-length");
    OciReference ref = OciReference.parse(registry.address() + "/wruntime/tampered:1.0.0");
    PushedModule pushed = anonymous().push(ref, wasm, null);
    registry.tamper(pushed.wasm().digest());
    byte[] served = Files.readAllBytes(registry.blobFile(pushed.wasm().digest()));

    assertThatThrownBy(() -> anonymous().pull(ref, new BlobCache(cacheDir)))
        .isInstanceOfSatisfying(
            DigestMismatchException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(pushed.wasm().digest());
              assertThat(e.actual()).isEqualTo(Digest.of(served));
            })
        .hasMessageContaining("blob " + pushed.wasm().digest())
        .hasMessageContaining("has digest " + Digest.of(served))
        .hasMessageContaining("(expected: " + pushed.wasm().digest() + ")");
    try (var files = Files.list(new BlobCache(cacheDir).directory())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .doesNotContain(pushed.wasm().digest().hex())
          .noneMatch(name -> name.startsWith(".partial-"));
    }
  }

  @Test
  void aCachedPinnedModuleIsServedWithoutTheRegistry() throws Exception {
    OciReference ref = OciReference.parse(registry.address() + "/wruntime/cached:1.0.0");
    PushedModule pushed = anonymous().push(ref, module("cached"), null);
    BlobCache cache = new BlobCache(cacheDir);
    anonymous().pull(pushed.reference(), cache);
    OciReference elsewhere =
        new OciReference(
            "127.0.0.1:" + TestRegistry.freePort(),
            ref.repository(),
            ref.tag(),
            pushed.manifestDigest());

    PulledModule offline = anonymous().pull(elsewhere, cache);

    assertThat(Files.readAllBytes(offline.wasmFile())).isEqualTo(module("cached"));
  }

  @Test
  void aMissingManifestAndAnUnreachableRegistryAreNamed() throws Exception {
    OciReference missing = OciReference.parse(registry.address() + "/wruntime/nothing:9.9.9");
    assertThatThrownBy(() -> anonymous().pull(missing, new BlobCache(cacheDir)))
        .isInstanceOf(OciException.class)
        .hasMessageContaining(registry.address() + " has no manifest")
        .hasMessageContaining("404");

    String closed = "127.0.0.1:" + TestRegistry.freePort();
    assertThatThrownBy(
            () -> anonymous().pull(OciReference.parse(closed + "/a/b:1"), new BlobCache(cacheDir)))
        .isInstanceOf(OciException.class)
        .hasMessageStartingWith("registry " + closed + " is unreachable");
  }

  @Test
  void aManifestWithoutAWasmLayerIsRefused() throws Exception {
    OciReference ref = OciReference.parse(registry.address() + "/wruntime/image:1.0.0");
    RegistryClient client = anonymous();
    // An ordinary container image: config and a tar layer, no wasm.
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = "not wasm".getBytes(StandardCharsets.UTF_8);
    Descriptor configDescriptor = Descriptor.of("application/vnd.oci.image.config.v1+json", config);
    Descriptor layerDescriptor = Descriptor.of("application/vnd.oci.image.layer.v1.tar", layer);
    TestUploads.blob(registry, ref.repository(), config);
    TestUploads.blob(registry, ref.repository(), layer);
    TestUploads.manifest(
        registry, ref, Manifest.write(configDescriptor, List.of(layerDescriptor), null));

    assertThatThrownBy(() -> client.pull(ref, new BlobCache(cacheDir)))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("has no wasm layer")
        .hasMessageContaining("application/vnd.oci.image.layer.v1.tar")
        .hasMessageContaining(MediaTypes.WASM_LAYER);
  }

  @Test
  void bearerTokenAuthFetchesATokenWithTheCredentialsAndRetries() throws Exception {
    try (AuthProxy proxy = AuthProxy.start(registry, AuthProxy.Mode.BEARER, "alice", "s3cret")) {
      RegistryClient client =
          RegistryClient.builder()
              .credentials(
                  RegistryCredentials.of(
                      Map.of(
                          proxy.address(), new RegistryCredentials.Credential("alice", "s3cret"))))
              .build();
      OciReference ref = OciReference.parse(proxy.address() + "/wruntime/private:1.0.0");

      PushedModule pushed = client.push(ref, module("private"), null);
      PulledModule pulled = client.pull(ref, new BlobCache(cacheDir));

      assertThat(Files.readAllBytes(pulled.wasmFile())).isEqualTo(module("private"));
      assertThat(pulled.reference()).isEqualTo(pushed.reference());
      assertThat(proxy.challenges()).isGreaterThanOrEqualTo(2);
      assertThat(proxy.tokenScopes())
          .containsExactly(
              "repository:wruntime/private:pull,push", "repository:wruntime/private:pull");
    }
  }

  @Test
  void bearerTokenAuthWithoutOrWithWrongCredentialsFailsClearly() throws Exception {
    try (AuthProxy proxy = AuthProxy.start(registry, AuthProxy.Mode.BEARER, "alice", "s3cret")) {
      OciReference ref = OciReference.parse(proxy.address() + "/wruntime/private:1.0.0");
      RegistryClient wrong =
          RegistryClient.builder()
              .credentials(
                  RegistryCredentials.of(
                      Map.of(proxy.address(), new RegistryCredentials.Credential("alice", "nope"))))
              .build();

      assertThatThrownBy(() -> wrong.pull(ref, new BlobCache(cacheDir)))
          .isInstanceOf(OciException.class)
          .hasMessageContaining("token endpoint http://" + proxy.address() + "/token")
          .hasMessageContaining("refused the credentials of user alice")
          .hasMessageContaining("repository:wruntime/private:pull")
          .hasMessageNotContaining("nope");
      assertThatThrownBy(() -> anonymous().pull(ref, new BlobCache(cacheDir)))
          .isInstanceOf(OciException.class)
          .hasMessageContaining("refused an anonymous token")
          .hasMessageContaining("an entry for " + proxy.address() + " in the registry auth file");
      assertThat(proxy.tokensRefused()).isEqualTo(2);
      assertThat(proxy.tokensIssued()).isZero();
    }
  }

  @Test
  void basicAuthUsesTheCredentialsOfADockerConfigFile() throws Exception {
    try (AuthProxy proxy =
        AuthProxy.start(registry, AuthProxy.Mode.BASIC, "bob", "pw:with:colons")) {
      Path auth = cacheDir.resolve("config.json");
      Files.writeString(
          auth,
          "{\"auths\": {\"http://"
              + proxy.address()
              + "/v1/\": {\"auth\": \""
              + java.util.Base64.getEncoder()
                  .encodeToString("bob:pw:with:colons".getBytes(StandardCharsets.UTF_8))
              + "\"}}}");
      RegistryClient client =
          RegistryClient.builder().credentials(RegistryCredentials.load(List.of(auth))).build();
      OciReference ref = OciReference.parse(proxy.address() + "/wruntime/basic:1.0.0");

      client.push(ref, module("basic"), null);
      PulledModule pulled = client.pull(ref, new BlobCache(cacheDir.resolve("cache")));

      assertThat(Files.readAllBytes(pulled.wasmFile())).isEqualTo(module("basic"));
      assertThatThrownBy(() -> anonymous().pull(ref, new BlobCache(cacheDir.resolve("c2"))))
          .isInstanceOf(OciException.class)
          .hasMessageContaining("requires credentials")
          .hasMessageContaining("401, basic");
    }
  }

  @Test
  void anIndexResolvesToItsFirstManifestWithAWasmLayer() throws Exception {
    OciReference tag = OciReference.parse(registry.address() + "/wruntime/indexed:1.0.0");
    PushedModule pushed = anonymous().push(tag, module("indexed"), null);
    byte[] manifest = TestUploads.manifestBytes(registry, pushed.reference());
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_INDEX
            + "\",\"manifests\":[{\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"digest\":\""
            + pushed.manifestDigest()
            + "\",\"size\":"
            + manifest.length
            + "}]}";
    OciReference indexRef = OciReference.parse(registry.address() + "/wruntime/indexed:multi");
    TestUploads.manifest(
        registry, indexRef, index.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX);

    PulledModule pulled = anonymous().pull(indexRef, new BlobCache(cacheDir));

    assertThat(pulled.manifestDigest()).isEqualTo(pushed.manifestDigest());
    assertThat(Arrays.equals(Files.readAllBytes(pulled.wasmFile()), module("indexed"))).isTrue();
  }
}
