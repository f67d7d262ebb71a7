package io.wruntime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The proxy's listeners hold a bounded number of connections and drop idle ones: a flood of
 * connections ends at the cap, and the connections already open keep working.
 */
@ExtendWith(LeakRecorder.class)
class ListenerLimitsIT {
  private Mesh mesh;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    mesh.close();
  }

  @Test
  void theConnectionBeyondTheCapIsClosedWhileTheOthersAreServed() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[limits]\nmax_internal_connections = 2\n");
    Socket first = open(proxy);
    Socket second = open(proxy);
    assertThat(statusLine(first)).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(statusLine(second)).isEqualTo("HTTP/1.1 400 Bad Request");

    Socket third = open(proxy);
    assertThat(readUntilClosed(third.getInputStream())).isEmpty();

    assertThat(statusLine(first)).isEqualTo("HTTP/1.1 400 Bad Request");
    first.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try (Socket again = new Socket("127.0.0.1", proxy.listenAddress().port())) {
                again.setSoTimeout(5_000);
                return "HTTP/1.1 400 Bad Request".equals(statusLine(again));
              } catch (IOException e) {
                return false;
              }
            });
  }

  @Test
  void theNodeServiceListenerClosesTheConnectionBeyondItsCap() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[limits]\nmax_control_connections = 1\n");
    Socket first = new Socket("127.0.0.1", proxy.controlAddress().port());
    sockets.add(first);
    first.setSoTimeout(10_000);
    // The HTTP/2 preface and an empty SETTINGS frame: the gRPC server answers with its SETTINGS.
    first
        .getOutputStream()
        .write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    first.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
    first.getOutputStream().flush();
    assertThat(first.getInputStream().read()).isNotEqualTo(-1);

    Socket second = new Socket("127.0.0.1", proxy.controlAddress().port());
    sockets.add(second);
    second.setSoTimeout(10_000);
    assertThat(readUntilClosed(second.getInputStream())).isEmpty();
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[timeouts]\nidle_secs = 1\n");
    Socket socket = open(proxy);
    socket.setSoTimeout(20_000);

    assertThat(socket.getInputStream().read()).isEqualTo(-1);
  }

  private Socket open(Proxy proxy) throws IOException {
    Socket socket = new Socket("127.0.0.1", proxy.listenAddress().port());
    socket.setSoTimeout(10_000);
    sockets.add(socket);
    return socket;
  }

  /** Sends a request without a destination (the proxy answers 400 itself) and reads the status. */
  private static String statusLine(Socket socket) throws IOException {
    socket
        .getOutputStream()
        .write("GET /x HTTP/1.1\r\nhost: proxy\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    String status = in.readLine();
    String line;
    int length = 0;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
    return status;
  }

  private static byte[] readUntilClosed(InputStream in) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // a reset is a refusal too
    }
    return out.toByteArray();
  }
}
