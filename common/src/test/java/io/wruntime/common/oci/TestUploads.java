package io.wruntime.common.oci;

import io.wruntime.common.oci.testing.TestRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Raw uploads to a {@link TestRegistry}, for content {@link RegistryClient#push} never writes. */
final class TestUploads {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private TestUploads() {}

  static void blob(TestRegistry registry, String repository, byte[] bytes) throws Exception {
    URI start =
        URI.create("http://" + registry.address() + "/v2/" + repository + "/blobs/uploads/");
    HttpResponse<String> started =
        HTTP.send(
            HttpRequest.newBuilder(start).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    URI session = start.resolve(started.headers().firstValue("Location").orElseThrow());
    URI put =
        URI.create(
            session + (session.getQuery() == null ? "?" : "&") + "digest=" + Digest.of(bytes));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "blob upload: " + response.statusCode() + " " + response.body());
    }
  }

  static void manifest(TestRegistry registry, OciReference ref, byte[] json) throws Exception {
    manifest(registry, ref, json, MediaTypes.OCI_MANIFEST);
  }

  static void manifest(TestRegistry registry, OciReference ref, byte[] json, String type)
      throws Exception {
    URI uri =
        URI.create(
            "http://"
                + registry.address()
                + "/v2/"
                + ref.repository()
                + "/manifests/"
                + ref.manifestReference());
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri)
                .header("Content-Type", type)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "manifest upload: " + response.statusCode() + " " + response.body());
    }
  }

  static byte[] manifestBytes(TestRegistry registry, OciReference ref) throws Exception {
    URI uri =
        URI.create(
            "http://"
                + registry.address()
                + "/v2/"
                + ref.repository()
                + "/manifests/"
                + ref.manifestReference());
    return HTTP.send(
            HttpRequest.newBuilder(uri).header("Accept", MediaTypes.OCI_MANIFEST).build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .body();
  }
}
