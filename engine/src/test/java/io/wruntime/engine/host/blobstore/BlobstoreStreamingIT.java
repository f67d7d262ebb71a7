package io.wruntime.engine.host.blobstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects far larger than the engine's heap stream through it: an engine process ({@code
 * wr-engine}, started from this module's classes and {@code target/lib}) runs with a {@value
 * #HEAP_MB} MiB heap while the {@code blobstore} guest stores a {@value #OBJECT_MB} MiB request
 * body in s3proxy (declared size: one streamed PutObject; unknown size: a multipart upload) and
 * streams it back. An engine that held a whole object would fail with OutOfMemoryError.
 */
class BlobstoreStreamingIT {
  static final int HEAP_MB = 48;
  static final int OBJECT_MB = 96;

  private static final Pattern LISTENING =
      Pattern.compile("engine listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> output = new CopyOnWriteArrayList<>();
  private S3Server s3;
  private Process engine;

  @BeforeEach
  void startS3() throws Exception {
    s3 = new S3Server(Files.createDirectories(dir.resolve("s3")));
    s3.createBuckets("big");
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.destroy();
      if (!engine.waitFor(10, TimeUnit.SECONDS)) {
        engine.destroyForcibly();
      }
    }
    s3.close();
  }

  private int startEngine() throws Exception {
    return startEngine("", HEAP_MB);
  }

  /**
   * Starts the engine with module a.blob, and {@code extra} appended to its configuration, with a
   * heap of {@code heapMb} MiB.
   */
  private int startEngine(String extra, int heapMb) throws Exception {
    Path lib = Path.of("target", "lib").toAbsolutePath();
    Path classes = Path.of("target", "classes").toAbsolutePath();
    assertThat(lib).as("the engine's runtime classpath (mvn package)").isDirectory();
    Path config = dir.resolve("engine.toml");
    Files.writeString(
        config,
        """
        listen_address = "127.0.0.1:0"
        [pool]
        max_total_memory = 16777216
        [blobstore]
        endpoint = "%s"
        access_key_id = "${S3_ACCESS_KEY}"
        secret_access_key = "${S3_SECRET_KEY}"
        max_object_size = 134217728
        [[module]]
        name = "blob"
        namespace = "a"
        version = "1.0.0"
        wasm_path = "%s"
        max_memory_size = 4194304
        [module.capabilities.blobstore]
        buckets = ["big"]
        """
                .formatted(s3.endpoint(), ModuleBlobstoreIT.GUEST.toAbsolutePath())
            + extra);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Xmx" + heapMb + "m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                classes + File.pathSeparator + lib + "/*",
                "io.wruntime.engine.EngineMain",
                "--config",
                config.toString(),
                "--shutdown-grace-secs",
                "1")
            .redirectErrorStream(true);
    builder.environment().put("S3_ACCESS_KEY", S3Server.ACCESS_KEY);
    builder.environment().put("S3_SECRET_KEY", S3Server.SECRET_KEY);
    engine = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              port.completeExceptionally(
                  new IllegalStateException("the engine ended:\n" + String.join("\n", output)));
            });
    return port.get(60, TimeUnit.SECONDS);
  }

  /** A body generated as it is sent, so the test JVM never holds it either. */
  private static HttpRequest.BodyPublisher body(long size) {
    return HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)), size);
  }

  private String put(int port, String key, long size, boolean declared) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/put?b=big&k="
                        + key
                        + (declared ? "&size=" + size : "")))
            .header("x-wr-namespace", "a")
            .header("x-wr-module", "blob")
            .header("x-wr-version", "1.0.0")
            .timeout(Duration.ofMinutes(3))
            .PUT(body(size))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  private String sha256Of(int port, String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get?b=big&k=" + key))
            .header("x-wr-namespace", "a")
            .header("x-wr-module", "blob")
            .header("x-wr-version", "1.0.0")
            .timeout(Duration.ofMinutes(3))
            .build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-blob-size"))
        .hasValue(String.valueOf(OBJECT_MB * 1024L * 1024));
    return digest(response.body());
  }

  private static String digest(InputStream in) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[65536];
    try (in) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Test
  void objectsLargerThanTheEnginesHeapStreamThroughIt() throws Exception {
    int port = startEngine();
    long size = OBJECT_MB * 1024L * 1024;
    String expected = digest(new PatternStream(size));

    assertThat(put(port, "declared.bin", size, true))
        .isEqualTo("200 stored declared.bin size=" + size + " etag=1");
    assertThat(sha256Of(port, "declared.bin")).isEqualTo(expected);

    assertThat(put(port, "unsized.bin", size, false))
        .isEqualTo("200 stored unsized.bin size=" + size + " etag=1");
    assertThat(sha256Of(port, "unsized.bin")).isEqualTo(expected);

    assertThat(engine.isAlive()).as("the engine survived:\n%s", String.join("\n", output)).isTrue();
    assertThat(output).noneMatch(line -> line.contains("OutOfMemoryError"));
    assertThat(output).noneMatch(line -> line.contains(S3Server.SECRET_KEY));
  }

  @Test
  void bodiesOfUnknownSizeCannotMakeTheEngineBufferMoreThanItsCap() throws Exception {
    int port = startEngine();
    // 16 bodies of unknown size, 4.5 MiB each (below a 5 MiB part, so all buffered by the
    // engine): 72 MiB from a guest holding 64 KiB, more than the engine's whole heap.
    HttpRequest hoard =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hoard?b=big&n=16&kb=4608"))
            .header("x-wr-namespace", "a")
            .header("x-wr-module", "blob")
            .header("x-wr-version", "1.0.0")
            .timeout(Duration.ofMinutes(2))
            .build();
    HttpResponse<String> response = http.send(hoard, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.body())
        .matches("3 filled; io: put \"hoard/3\" in \"big\": .* 16777216 bytes .*");
    assertThat(engine.isAlive()).as("the engine survived:\n%s", String.join("\n", output)).isTrue();
    // The buffers were released at the end of that request: the next one stores an object.
    assertThat(put(port, "after.bin", 6L * 1024 * 1024, false))
        .isEqualTo("200 stored after.bin size=" + 6L * 1024 * 1024 + " etag=1");
    assertThat(output).noneMatch(line -> line.contains("OutOfMemoryError"));
  }

  @Test
  void sizedBodiesAStoreDoesNotTakeCannotMakeTheEngineHoldMoreThanItsCap() throws Exception {
    // A store that accepts connections and never reads: the chunks written stay in the engine.
    try (ServerSocket hole = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try {
                  while (true) {
                    accepted.add(hole.accept());
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      int port =
          startEngine(
              """
              [[module]]
              name = "blob"
              namespace = "hole"
              version = "1.0.0"
              wasm_path = "%s"
              max_memory_size = 4194304
              [module.capabilities.blobstore]
              endpoint = "http://127.0.0.1:%d"
              buckets = ["big"]
              """
                  .formatted(ModuleBlobstoreIT.GUEST.toAbsolutePath(), hole.getLocalPort()),
              96);
      // 32 bodies declared 12 MiB, 6 MiB of each written in 1 MiB chunks (from one 1 MiB buffer of
      // the guest): 192 MiB the store never takes, twice the engine's 96 MiB heap.
      // The request declares a one-byte body, sent once the store has connections from it: the
      // module answers after that, with what its writes met.
      try (Socket request = new Socket("127.0.0.1", port)) {
        request.setSoTimeout(60_000);
        request
            .getOutputStream()
            .write(
                ("PUT /hoard?b=big&n=32&kb=6144&sized=1&hold=1 HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                        + "x-wr-namespace: hole\r\nx-wr-module: blob\r\nx-wr-version: 1.0.0\r\n"
                        + "content-length: 1\r\nconnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        request.getOutputStream().flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(accepted).as("connections from the engine to the store").isNotEmpty();
        request.getOutputStream().write('x');
        request.getOutputStream().flush();
        String response;
        try {
          response = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          Thread.sleep(500); // lets the output reader take the engine's last lines
          throw new AssertionError("the engine ended:\n" + String.join("\n", output), e);
        }
        assertThat(response).as(String.join("\n", output)).startsWith("HTTP/1.1 503");
        assertThat(response)
            .containsPattern("\\d+ filled; io: put \"hoard/\\d+\" in \"big\": .* 16777216 bytes ");
      }
      assertThat(engine.isAlive())
          .as("the engine survived:\n%s", String.join("\n", output))
          .isTrue();
      // The engine still serves: module a stores an object in the real store.
      assertThat(put(port, "after.bin", 1024, true))
          .isEqualTo("200 stored after.bin size=1024 etag=1");
      assertThat(output).noneMatch(line -> line.contains("OutOfMemoryError"));

      // The request is over: the engine gave up those uploads and closed their connections,
      // though the store never read what they sent (a write of ours then fails).
      for (Socket socket : accepted) {
        assertThat(closedByEngine(socket)).as("connection %s closed", socket).isTrue();
        socket.close();
      }
    }
  }

  /** Whether the engine closed its end of {@code socket}, tried for up to 30 s. */
  private static boolean closedByEngine(Socket socket) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        socket.getOutputStream().write('x');
        socket.getOutputStream().flush();
      } catch (IOException e) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** {@code size} bytes of a fixed pattern, generated on the fly. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long at;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (at >= size) {
        return -1;
      }
      return value(at++);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (at >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - at);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) value(at++);
      }
      return n;
    }

    private static int value(long i) {
      return (int) ((i * 31 + (i >>> 13)) & 0xFF);
    }
  }
}
