package io.wruntime.common.oci.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wruntime.common.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real CNCF distribution registry ({@code registry serve}) as a child process on loopback, with
 * filesystem storage in a temporary directory that tests may read and tamper with. The binary comes
 * from {@code bin/setup-oci-registry}; without it the test is skipped with a message saying so.
 */
public final class TestRegistry implements AutoCloseable {
  /** The version bin/setup-oci-registry builds unless told otherwise. */
  public static final String VERSION = "3.1.2";

  private final Process process;
  private final Path root;
  private final Path log;
  private final int port;

  private TestRegistry(Process process, Path root, Path log, int port) {
    this.process = process;
    this.root = root;
    this.log = log;
    this.port = port;
  }

  /** Where the registry binary is: -Dwruntime.oci.registry, $WRUNTIME_OCI_REGISTRY, the cache. */
  public static Path binary() {
    String configured = System.getProperty("wruntime.oci.registry");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("WRUNTIME_OCI_REGISTRY");
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("wruntime/oci-registry/" + VERSION + "/registry");
  }

  /**
   * Starts a registry on a free loopback port and waits until it answers {@code GET /v2/}; skips
   * the calling test when the binary is missing.
   */
  public static TestRegistry start() throws IOException, InterruptedException {
    Path binary = binary();
    assumeTrue(
        Files.isExecutable(binary),
        "no distribution registry at "
            + binary
            + ": run bin/setup-oci-registry (bin/test does) to build it from Go module sources");
    Path root = Files.createTempDirectory("wr-oci-registry-");
    int port = freePort();
    Path config = root.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version: 0.1",
            "log:",
            "  level: info",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + root.resolve("data"),
            "  delete:",
            "    enabled: true",
            "http:",
            "  addr: 127.0.0.1:" + port,
            ""),
        StandardCharsets.UTF_8);
    Path log = root.resolve("registry.log");
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // The registry exports traces over OTLP by default; nothing listens for them here.
    builder.environment().put("OTEL_TRACES_EXPORTER", "none");
    builder.environment().put("OTEL_SDK_DISABLED", "true");
    Process process = builder.start();
    TestRegistry registry = new TestRegistry(process, root, log, port);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      if (!process.isAlive()) {
        String output = Files.readString(log);
        registry.close();
        throw new IllegalStateException("the registry exited at start:\n" + output);
      }
      if (registry.answers()) {
        return registry;
      }
      if (System.nanoTime() > deadline) {
        String output = Files.readString(log);
        registry.close();
        throw new IllegalStateException("the registry did not answer within 20 s:\n" + output);
      }
      Thread.sleep(50);
    }
  }

  private boolean answers() {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) URI.create("http://" + address() + "/v2/").toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(1000);
      int status = connection.getResponseCode();
      connection.disconnect();
      return status == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code 127.0.0.1:PORT}, the registry part of a reference. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The file in the registry's storage that holds the blob with {@code digest}. */
  public Path blobFile(Digest digest) {
    return root.resolve(
        "data/docker/registry/v2/blobs/sha256/"
            + digest.hex().substring(0, 2)
            + "/"
            + digest.hex()
            + "/data");
  }

  /** Flips the bits of one byte in the middle of the stored blob, keeping its length. */
  public void tamper(Digest digest) throws IOException {
    Path file = blobFile(digest);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(file, bytes);
  }

  /** What the registry logged so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the registry (it may be started anew on another port by {@link #start()}). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
