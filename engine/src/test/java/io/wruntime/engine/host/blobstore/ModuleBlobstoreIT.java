package io.wruntime.engine.host.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code wruntime:blobstore} in a running engine: the C test guest {@code blobstore} (built from
 * source with the C SDK) stores, reads, lists and deletes objects in s3proxy, a real S3 server on
 * loopback. Two modules of namespaces {@code a} and {@code b} share the bucket {@code shared}.
 */
class ModuleBlobstoreIT {
  static final Path GUEST = Path.of("target", "test-guests", "blobstore.wasm");

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger wruntime = (Logger) LoggerFactory.getLogger("io.wruntime");
  private Level wruntimeLevel;
  private S3Server s3;
  private Engine engine;

  @BeforeEach
  void start() throws Exception {
    logs.start();
    root.addAppender(logs);
    wruntimeLevel = wruntime.getLevel();
    wruntime.setLevel(Level.DEBUG);
    Path data = Files.createDirectories(dir.resolve("s3"));
    s3 = new S3Server(data);
    s3.createBuckets("shared", "other", "ungranted");
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    s3.close();
    root.detachAppender(logs);
    wruntime.setLevel(wruntimeLevel);
  }

  /**
   * Starts an engine whose [blobstore] gives the endpoint and the key through ${S3_*} variables;
   * module a uses them, module b its own credentials_dir.
   */
  private void startEngine(String blobstoreExtra, String limits) throws Exception {
    Path creds = Files.createDirectories(dir.resolve("creds-b"));
    Files.writeString(creds.resolve("accessKeyId"), S3Server.ACCESS_KEY + "\n");
    Files.writeString(creds.resolve("secretAccessKey"), S3Server.SECRET_KEY + "\n");
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [blobstore]
        endpoint = "${S3_ENDPOINT}"
        access_key_id = "${S3_ACCESS_KEY}"
        secret_access_key = "${S3_SECRET_KEY}"
        %s
        [limits]
        %s
        [[module]]
        name = "blob"
        namespace = "a"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.blobstore]
        buckets = ["shared", "other"]
        [[module]]
        name = "blob"
        namespace = "b"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.blobstore]
        buckets = ["shared"]
        credentials_dir = "%s"
        """
            .formatted(
                blobstoreExtra, limits, GUEST.toAbsolutePath(), GUEST.toAbsolutePath(), creds);
    EngineConfig config =
        EngineConfig.parse(
            "engine.toml",
            toml,
            Map.of(
                "S3_ENDPOINT", s3.endpoint().toString(),
                "S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                "S3_SECRET_KEY", S3Server.SECRET_KEY));
    assertThat(config.toString()).doesNotContain(S3Server.SECRET_KEY);
    engine = Engine.startWith(config, outbound -> new WasiHttpModuleLoader(outbound));
  }

  private void startEngine() throws Exception {
    startEngine("", "");
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpResponse<String> call(String ns, String method, String path, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
            .header("x-wr-namespace", ns)
            .header("x-wr-module", "blob")
            .header("x-wr-version", "1.0.0")
            .timeout(Duration.ofSeconds(60));
    if (body != null) {
      request
          .header("content-type", "text/plain")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String ns, String path) throws Exception {
    return call(ns, "GET", path, null);
  }

  private HttpResponse<String> put(String ns, String bucket, String key, byte[] body, boolean size)
      throws Exception {
    return call(
        ns,
        "PUT",
        "/put?b=" + bucket + "&k=" + q(key) + (size ? "&size=" + body.length : ""),
        body);
  }

  @Test
  void everyFunctionWorksAgainstARealS3Server() throws Exception {
    startEngine();
    byte[] text = "hello, blob store".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> stored = put("a", "shared", "docs/hello.txt", text, true);
    assertThat(stored.body()).isEqualTo("stored docs/hello.txt size=17 etag=1");
    assertThat(stored.statusCode()).isEqualTo(200);
    // Stored under the module's namespace.
    assertThat(s3.exists("shared", "a/docs/hello.txt")).isTrue();
    assertThat(s3.exists("shared", "docs/hello.txt")).isFalse();

    HttpResponse<String> read = get("a", "/get?b=shared&k=docs/hello.txt");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("hello, blob store");
    assertThat(read.headers().firstValue("x-blob-size")).hasValue("17");
    assertThat(read.headers().firstValue("content-type")).hasValue("text/plain");

    String head = get("a", "/head?b=shared&k=docs/hello.txt").body();
    assertThat(head).startsWith("key=docs/hello.txt size=17 type=text/plain etag=1 modified=");
    long modified = Long.parseLong(head.substring(head.indexOf("modified=") + 9));
    assertThat(modified)
        .isBetween(System.currentTimeMillis() - 600_000, System.currentTimeMillis() + 600_000);
    assertThat(get("a", "/meta?b=shared&k=docs/hello.txt").body())
        .startsWith("key=docs/hello.txt size=17 type=text/plain etag=1 modified=");
    // Read in 5-byte chunks: 17 bytes are 4 reads.
    assertThat(get("a", "/chunks?b=shared&k=docs/hello.txt&n=5").body())
        .isEqualTo("reads=4 bytes=17");

    // Unknown size: stored in one PutObject when small.
    assertThat(put("a", "shared", "docs/unsized.txt", text, false).body())
        .isEqualTo("stored docs/unsized.txt size=17 etag=1");

    assertThat(get("a", "/list?b=shared&p=docs/").body())
        .isEqualTo("docs/hello.txt 17\ndocs/unsized.txt 17\nend");

    assertThat(call("a", "DELETE", "/delete?b=shared&k=docs/hello.txt", null).body())
        .isEqualTo("deleted");
    assertThat(s3.exists("shared", "a/docs/hello.txt")).isFalse();
    HttpResponse<String> gone = get("a", "/head?b=shared&k=docs/hello.txt");
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.body()).startsWith("not-found: ");
    assertThat(get("a", "/get?b=shared&k=docs/hello.txt").body())
        .isEqualTo("not-found: get \"docs/hello.txt\" of \"shared\": no such object");
    // Deleting a missing object is not an error.
    assertThat(call("a", "DELETE", "/delete?b=shared&k=docs/hello.txt", null).body())
        .isEqualTo("deleted");
  }

  @Test
  void aBodyOfUnknownSizeAboveOnePartIsStoredAsAMultipartUpload() throws Exception {
    startEngine();
    byte[] body = pattern(12 * 1024 * 1024 + 123);

    assertThat(put("a", "other", "big.bin", body, false).body())
        .isEqualTo("stored big.bin size=" + body.length + " etag=1");

    byte[] back =
        s3.admin().getObjectAsBytes(b -> b.bucket("other").key("a/big.bin")).asByteArray();
    assertThat(Arrays.equals(back, body)).as("the stored bytes are the body").isTrue();
    // Multipart ETags end in -<parts>: 12 MiB in 5 MiB parts are 3.
    assertThat(s3.admin().headObject(b -> b.bucket("other").key("a/big.bin")).eTag())
        .contains("-3");
  }

  @Test
  void badKeysAreAccessDeniedAndNothingIsStored() throws Exception {
    startEngine();
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    for (String key :
        List.of("../b/stolen.txt", "docs/../../b/x", "/etc/passwd", "", "a\nb", "..")) {
      HttpResponse<String> response = put("a", "shared", key, body, true);
      assertThat(response.statusCode()).as(key).isEqualTo(403);
      assertThat(response.body()).as(key).startsWith("access-denied: ");
    }
    assertThat(put("a", "shared", "../b/stolen.txt", body, true).body())
        .isEqualTo(
            "access-denied: key \"../b/stolen.txt\" has a '..' segment (expected: a key without"
                + " '..' segments)");
    assertThat(get("a", "/get?b=shared&k=" + q("../b/x")).statusCode()).isEqualTo(403);
    assertThat(get("a", "/head?b=shared&k=" + q("/x")).statusCode()).isEqualTo(403);
    assertThat(call("a", "DELETE", "/delete?b=shared&k=" + q("../b/x"), null).statusCode())
        .isEqualTo(403);
    assertThat(get("a", "/list?b=shared&p=" + q("../")).statusCode()).isEqualTo(403);
    String longKey = "k".repeat(1100);
    assertThat(put("a", "shared", longKey, body, true).body())
        .startsWith("access-denied: key is 1102 bytes long with its namespace");
    assertThat(s3.admin().listObjectsV2(b -> b.bucket("shared")).contents()).isEmpty();
  }

  @Test
  void aBucketOutsideTheGrantIsAccessDenied() throws Exception {
    startEngine();
    HttpResponse<String> response =
        put("a", "ungranted", "x.txt", "x".getBytes(StandardCharsets.UTF_8), true);
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body())
        .isEqualTo(
            "access-denied: bucket \"ungranted\" is not granted to this module (expected: one of"
                + " [shared, other], the buckets of [module.capabilities.blobstore])");
    // Module b is granted only "shared".
    assertThat(get("b", "/list?b=other").body()).startsWith("access-denied: bucket \"other\"");
    assertThat(s3.admin().listObjectsV2(b -> b.bucket("ungranted")).contents()).isEmpty();
  }

  @Test
  void objectsOverTheCapAreTooLargeAndNotStored() throws Exception {
    startEngine("max_object_size = 1048576", "");
    byte[] body = pattern(1024 * 1024 + 1);

    HttpResponse<String> declared = put("a", "shared", "declared.bin", body, true);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(declared.body())
        .isEqualTo(
            "too-large: put \"declared.bin\" in \"shared\": the declared size of 1048577 bytes is"
                + " above max_object_size = 1048576 bytes (expected: a smaller object; nothing was"
                + " stored)");

    HttpResponse<String> written = put("a", "shared", "written.bin", body, false);
    assertThat(written.statusCode()).isEqualTo(413);
    assertThat(written.body())
        .startsWith("too-large: put \"written.bin\" in \"shared\": the body passed 1048576 bytes");

    // Exactly the cap is fine.
    assertThat(put("a", "shared", "exact.bin", Arrays.copyOf(body, 1024 * 1024), true).body())
        .isEqualTo("stored exact.bin size=1048576 etag=1");
    assertThat(s3.exists("shared", "a/declared.bin")).isFalse();
    assertThat(s3.exists("shared", "a/written.bin")).isFalse();
  }

  @Test
  void aDroppedObjectStoresNothing() throws Exception {
    startEngine();
    assertThat(get("a", "/drop?b=shared&k=dropped.txt").body()).isEqualTo("dropped");
    assertThat(get("a", "/head?b=shared&k=dropped.txt").statusCode()).isEqualTo(404);
    assertThat(s3.exists("shared", "a/dropped.txt")).isFalse();
    // A declared size the body does not reach stores nothing either.
    HttpResponse<String> short_ =
        call(
            "a",
            "PUT",
            "/put?b=shared&k=short.txt&size=10",
            "abc".getBytes(StandardCharsets.UTF_8));
    assertThat(short_.body())
        .isEqualTo(
            "io: put \"short.txt\" in \"shared\": finished after 3 bytes of the 10 declared"
                + " (expected: exactly the size given to put; nothing was stored)");
    assertThat(s3.exists("shared", "a/short.txt")).isFalse();
  }

  @Test
  void objectsLeftOpenAtTheEndOfTheRequestStoreNothing() throws Exception {
    startEngine();
    byte[] body = pattern(6 * 1024 * 1024);
    // Unknown size above one part: a multipart upload was started, and is aborted.
    assertThat(call("a", "PUT", "/put?b=shared&k=left.bin&leave=1", body).body())
        .isEqualTo("left open");
    assertThat(
            call("a", "PUT", "/put?b=shared&k=sized.bin&leave=1&size=" + body.length, body).body())
        .isEqualTo("left open");
    assertThat(s3.exists("shared", "a/left.bin")).isFalse();
    assertThat(s3.exists("shared", "a/sized.bin")).isFalse();
    assertThat(s3.admin().listMultipartUploads(b -> b.bucket("shared")).uploads()).isEmpty();
  }

  @Test
  void aModuleCannotReadListOrDeleteAnotherNamespacesObjects() throws Exception {
    startEngine();
    assertThat(
            put("b", "shared", "secret.txt", "b's".getBytes(StandardCharsets.UTF_8), true).body())
        .isEqualTo("stored secret.txt size=3 etag=1");
    assertThat(put("a", "shared", "mine.txt", "a's".getBytes(StandardCharsets.UTF_8), true).body())
        .isEqualTo("stored mine.txt size=3 etag=1");

    assertThat(get("a", "/get?b=shared&k=secret.txt").statusCode()).isEqualTo(404);
    assertThat(get("a", "/head?b=shared&k=secret.txt").statusCode()).isEqualTo(404);
    assertThat(get("a", "/list?b=shared").body()).isEqualTo("mine.txt 3\nend");
    assertThat(get("a", "/get?b=shared&k=" + q("../b/secret.txt")).statusCode()).isEqualTo(403);
    // A forged continuation cannot leave the namespace: it only says where to start inside it.
    String forged = WruntimeBlobstore.encodeContinuation("../b/");
    assertThat(get("a", "/list?b=shared&c=" + q(forged)).body()).isEqualTo("mine.txt 3\nend");
    assertThat(get("a", "/list?b=shared&c=" + q("not base64 !")).body())
        .startsWith("access-denied: continuation \"not base64 !\" is not one that list returned");
    // Deleting "secret.txt" deletes a's key of that name, never b's object.
    assertThat(call("a", "DELETE", "/delete?b=shared&k=secret.txt", null).body())
        .isEqualTo("deleted");
    assertThat(s3.exists("shared", "b/secret.txt")).isTrue();
    assertThat(get("b", "/get?b=shared&k=secret.txt").body()).isEqualTo("b's");
  }

  @Test
  void listingPagesWithContinuations() throws Exception {
    startEngine("max_list_objects = 3", "");
    for (int i = 1; i <= 5; i++) {
      put("a", "shared", "page/" + i + ".txt", ("" + i).getBytes(StandardCharsets.UTF_8), true);
    }
    put("a", "shared", "elsewhere.txt", "x".getBytes(StandardCharsets.UTF_8), true);

    String first = get("a", "/list?b=shared&p=page/&max=2").body();
    assertThat(first).startsWith("page/1.txt 1\npage/2.txt 1\nnext=");
    String next = first.substring(first.indexOf("next=") + 5);
    String second = get("a", "/list?b=shared&p=page/&max=2&c=" + q(next)).body();
    assertThat(second).startsWith("page/3.txt 1\npage/4.txt 1\nnext=");
    String last = second.substring(second.indexOf("next=") + 5);
    assertThat(get("a", "/list?b=shared&p=page/&max=2&c=" + q(last)).body())
        .isEqualTo("page/5.txt 1\nend");

    assertThat(get("a", "/listall?b=shared&p=page/&max=2").body())
        .isEqualTo("page/1.txt\npage/2.txt\npage/3.txt\npage/4.txt\npage/5.txt\npages=3");
    // max 0 and max above max_list_objects both mean max_list_objects = 3.
    assertThat(get("a", "/listall?b=shared&max=0").body()).endsWith("pages=2");
    assertThat(get("a", "/list?b=shared&max=1000").body()).contains("next=");
  }

  @Test
  void theOpenObjectCapFailsThatRequestAndTheEngineKeepsServing() throws Exception {
    startEngine("", "blob_objects = 3");
    put("a", "shared", "x.txt", "x".getBytes(StandardCharsets.UTF_8), true);

    HttpResponse<String> capped = get("a", "/open?b=shared&k=x.txt");
    assertThat(capped.statusCode()).isEqualTo(503);
    assertThat(capped.body())
        .isEqualTo(
            "3 open; io: this request already has 3 blob objects open (expected: at most [limits]"
                + " blob_objects = 3 per request; drop an object to open another)");
    // The objects were closed at the end of that request: the next one opens three again.
    assertThat(get("a", "/open?b=shared&k=x.txt").body()).startsWith("3 open; io: ");
    assertThat(get("a", "/get?b=shared&k=x.txt").body()).isEqualTo("x");
  }

  @Test
  void objectsHeldOpenByOneModuleDoNotStarveAnotherModulesCalls() throws Exception {
    // Modules a and b both use the engine's [blobstore], so the same S3 client settings. Module a
    // holds 2 x 256 gets unread: as many connections as one S3 client pools.
    int each = BlobStores.MAX_CONNECTIONS / 2;
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [blobstore]
        endpoint = "%s"
        access_key_id = "${S3_ACCESS_KEY}"
        secret_access_key = "${S3_SECRET_KEY}"
        [limits]
        blob_objects = %d
        [pool]
        guest_threads = 8
        [[module]]
        name = "blob"
        namespace = "a"
        version = "1.0.0"
        wasm_path = "%s"
        request_timeout_secs = 20
        [module.capabilities.blobstore]
        buckets = ["shared"]
        [[module]]
        name = "blob"
        namespace = "b"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.blobstore]
        buckets = ["shared"]
        """
            .formatted(s3.endpoint(), each, GUEST.toAbsolutePath(), GUEST.toAbsolutePath());
    engine =
        Engine.startWith(
            EngineConfig.parse(
                "engine.toml",
                toml,
                Map.of(
                    "S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                    "S3_SECRET_KEY", S3Server.SECRET_KEY)),
            outbound -> new WasiHttpModuleLoader(outbound));
    // Larger than what socket buffers take: a get left unread keeps its connection.
    put("a", "shared", "x.txt", pattern(64 * 1024), true);
    put("b", "shared", "y.txt", "y".getBytes(StandardCharsets.UTF_8), true);
    // Each holder declares a one-byte body and sends it only at the end: its request, and the
    // gets it opened, stay open until then.
    List<Socket> holders = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket holder = new Socket("127.0.0.1", engine.port());
        holders.add(holder);
        holder.setSoTimeout(30_000);
        holder
            .getOutputStream()
            .write(
                ("PUT /hold?b=shared&k=x.txt&n="
                        + each
                        + " HTTP/1.1\r\nhost: 127.0.0.1\r\nx-wr-namespace: a\r\n"
                        + "x-wr-module: blob\r\nx-wr-version: 1.0.0\r\ncontent-length: 1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        holder.getOutputStream().flush();
      }
      for (Socket holder : holders) {
        assertThat(untilOpened(holder.getInputStream())).endsWith("opened " + each);
      }

      HttpResponse<String> other = get("b", "/get?b=shared&k=y.txt");
      assertThat(other.body()).isEqualTo("y");
      assertThat(other.statusCode()).isEqualTo(200);

      // Module a's requests held their objects all along (were not ended by their deadline
      // while b waited): given their bodies' byte, they end normally.
      for (Socket holder : holders) {
        holder.getOutputStream().write('x');
        holder.getOutputStream().flush();
        assertThat(untilEnd(holder.getInputStream())).endsWith("\r\n0\r\n\r\n");
      }
    } finally {
      for (Socket holder : holders) {
        holder.close();
      }
    }
  }

  /** The rest of a chunked response, up to its last chunk, or to where the connection ended. */
  private static String untilEnd(InputStream in) throws Exception {
    StringBuilder text = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      text.append((char) c);
      if (text.toString().endsWith("\r\n0\r\n\r\n")) {
        break;
      }
    }
    return text.toString();
  }

  /** What the holder's response says up to its "opened <n>" line (headers and chunk sizes too). */
  private static String untilOpened(InputStream in) throws Exception {
    StringBuilder text = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n' && text.indexOf("opened ") >= 0) {
        break;
      }
      text.append((char) c);
    }
    return text.toString().strip();
  }

  @Test
  void wrongCredentialsAreAccessDeniedAndNoSecretIsShown() throws Exception {
    Path creds = Files.createDirectories(dir.resolve("wrong"));
    Files.writeString(creds.resolve("accessKeyId"), S3Server.ACCESS_KEY);
    String wrongSecret = "wrong-secret-0f9e8d7c";
    Files.writeString(creds.resolve("secretAccessKey"), wrongSecret);
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [[module]]
        name = "blob"
        namespace = "a"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.blobstore]
        endpoint = "%s"
        buckets = ["shared"]
        credentials_dir = "%s"
        """
            .formatted(GUEST.toAbsolutePath(), s3.endpoint(), creds);
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> new WasiHttpModuleLoader(outbound));

    HttpResponse<String> denied =
        put("a", "shared", "x.txt", "x".getBytes(StandardCharsets.UTF_8), true);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body())
        .startsWith(
            "access-denied: put \"x.txt\" in \"shared\": the store refused access (status 403");
    HttpResponse<String> head = get("a", "/head?b=shared&k=x.txt");
    assertThat(head.statusCode()).isEqualTo(403);
    for (HttpResponse<String> r : List.of(denied, head)) {
      assertThat(r.body()).doesNotContain(wrongSecret).doesNotContain(S3Server.SECRET_KEY);
    }
    assertNoSecretLogged(wrongSecret);
  }

  @Test
  void secretsAreNeverLogged() throws Exception {
    startEngine();
    put("a", "shared", "x.txt", "x".getBytes(StandardCharsets.UTF_8), true);
    get("b", "/get?b=shared&k=missing");
    engine.close(Duration.ofSeconds(2));
    engine = null;
    assertNoSecretLogged(S3Server.SECRET_KEY);
  }

  private void assertNoSecretLogged(String secret) {
    List<String> lines = new ArrayList<>();
    synchronized (logs) {
      for (ILoggingEvent e : logs.list) {
        lines.add(e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
          lines.add(e.getThrowableProxy().getMessage());
        }
      }
    }
    assertThat(lines).isNotEmpty();
    assertThat(lines).noneMatch(line -> line != null && line.contains(secret));
  }

  @Test
  void aModuleImportingBlobstoreWithoutTheGrantFailsToLoadNamingIt() {
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request -> {
              throw new AssertionError("no call expected");
            });
    ModuleDefinition definition =
        new ModuleDefinition(
            "test", "blob", "1.0.0", GUEST, Map.of(), 16 * 1024 * 1024, ExecutionMode.INTERPRETED);

    assertThatThrownBy(() -> loader.load(definition))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageStartingWith("module test.blob@1.0.0 imports wruntime:blobstore/store@0.1.0#")
        .hasMessageEndingWith(
            " but is not granted wruntime:blobstore (expected: [module.capabilities.blobstore] in"
                + " its [[module]] entry)");
    loader.close();
  }

  @Test
  void unreadableCredentialsFailTheModulesLoadNamingTheFile() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("no-creds"));
    String toml =
        """
        [[module]]
        name = "blob"
        namespace = "a"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.blobstore]
        endpoint = "%s"
        buckets = ["shared"]
        credentials_dir = "%s"
        """
            .formatted(GUEST.toAbsolutePath(), s3.endpoint(), empty);
    ModuleDefinition definition =
        EngineConfig.parse("engine.toml", toml)
            .modules()
            .get(0)
            .toDefinition(ExecutionMode.INTERPRETED, GUEST.toAbsolutePath());
    try (WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request -> {
              throw new AssertionError("no call expected");
            })) {
      assertThatThrownBy(() -> loader.load(definition))
          .isInstanceOf(ModuleLoadException.class)
          .hasMessage(
              "module a.blob@1.0.0: the engine cannot read the blob store credentials file "
                  + empty.resolve("accessKeyId")
                  + " (NoSuchFileException; expected: the files accessKeyId and secretAccessKey"
                  + " in the credentials_dir of [module.capabilities.blobstore] or [blobstore])");
    }
  }

  static byte[] pattern(int size) {
    byte[] body = new byte[size];
    for (int i = 0; i < size; i++) {
      body[i] = (byte) (i * 31 + (i >>> 11));
    }
    return body;
  }
}
