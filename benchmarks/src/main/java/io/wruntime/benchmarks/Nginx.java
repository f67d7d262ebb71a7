package io.wruntime.benchmarks;

import io.wruntime.common.net.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The machine's nginx as a reverse proxy in front of one engine: a keep-alive upstream (HTTP/1.1,
 * idle connections kept), no access log, everything else nginx's defaults with one worker per core.
 * It runs in the foreground from a configuration and prefix in a temporary directory, and is
 * stopped (and the directory removed) by {@link #close()}.
 */
final class Nginx implements AutoCloseable {
  private static final List<Path> LOCATIONS =
      List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"));

  private final Process process;
  private final Path dir;
  private final HostPort address;
  private final String version;

  private Nginx(Process process, Path dir, HostPort address, String version) {
    this.process = process;
    this.dir = dir;
    this.address = address;
    this.version = version;
  }

  /** The nginx binary: {@code WR_NGINX}, then /usr/sbin/nginx, then PATH; empty when none. */
  static Optional<Path> find() {
    String configured = System.getenv("WR_NGINX");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    for (Path p : LOCATIONS) {
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, "nginx");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Starts {@code binary} proxying every request to {@code upstream}; waits until it listens. */
  static Nginx start(Path binary, HostPort upstream) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("wr-bench-nginx");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String conf =
        """
        worker_processes auto;
        daemon off;
        master_process on;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          upstream engine {
            server %2$s;
            keepalive 128;
          }
          server {
            listen 127.0.0.1:%3$d;
            keepalive_requests 1000000;
            location / {
              proxy_pass http://engine;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
            }
          }
        }
        """
            .formatted(dir, upstream, port);
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Process process =
        new ProcessBuilder(
                binary.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    HostPort address = new HostPort("127.0.0.1", port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      if (!process.isAlive()) {
        String log = readLogs(dir);
        deleteTree(dir);
        throw new IOException(
            binary + " exited with status " + process.exitValue() + " on start: " + log.strip());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          String log = readLogs(dir);
          deleteTree(dir);
          throw new IOException(
              binary + " did not listen on " + address + " within 10 s: " + log.strip());
        }
        Thread.sleep(20);
      }
    }
    // Stopped with this JVM also when it is ended by a signal rather than by close().
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "wr-bench-nginx-stop"));
    return new Nginx(process, dir, address, versionOf(binary));
  }

  private static String versionOf(Path binary) {
    try {
      Process p = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(5, TimeUnit.SECONDS);
      return out.replace("nginx version: ", "");
    } catch (IOException e) {
      return "nginx (version unknown: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "nginx";
    }
  }

  private static String readLogs(Path dir) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("stdout.log", "error.log")) {
      try {
        out.append(Files.readString(dir.resolve(name))).append('\n');
      } catch (IOException ignored) {
        // not written
      }
    }
    return out.toString();
  }

  /** CPU nanoseconds nginx used so far, master and workers. */
  long cpuNanos() {
    return CpuMeter.processTree(process.toHandle());
  }

  HostPort address() {
    return address;
  }

  String version() {
    return version;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }
}
