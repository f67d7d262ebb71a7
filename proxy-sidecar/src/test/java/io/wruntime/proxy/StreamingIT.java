package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies stream through the proxy in both directions without being held: 256 MiB each way while the
 * bytes the proxy holds stay bounded, and a response that starts before its request ended.
 */
@ExtendWith(LeakRecorder.class)
class StreamingIT {
  private static final long SIZE = 256L * 1024 * 1024;

  /** Far below any body here: the proxy holds at most a message or two per direction. */
  private static final long HELD_BOUND = 1024 * 1024;

  private Mesh mesh;
  private Proxy proxy;
  private FakeEngine engine;

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
    proxy = mesh.proxy("node-a", "");
    engine = mesh.engine();
    mesh.register("e1", engine, proxy, null, ref("files", "store", "1.0.0"));
    Mesh.awaitRouted(proxy, "files", "store", 1);
    proxy.bufferedBytes().resetPeak();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void a256MiBRequestBodyStreamsToTheEngineWithBoundedProxyMemory() throws Exception {
    engine.mode(FakeEngine.Mode.COUNT);

    HttpResponse<String> response =
        mesh.send(
            mesh.call(proxy, "http://files.store", "/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE)))
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(SIZE + " " + patternCrc(SIZE));
    assertThat(proxy.bufferedBytes().peak()).isLessThan(HELD_BOUND);
    assertThat(proxy.bufferedBytes().current()).isZero();
  }

  @Test
  void a256MiBResponseBodyStreamsToTheClientWithBoundedProxyMemory() throws Exception {
    engine.mode(FakeEngine.Mode.GENERATE).generate = SIZE;

    HttpResponse<InputStream> response =
        mesh.http.send(
            mesh.call(proxy, "http://files.store", "/download").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("content-length")).hasValue(SIZE);
    CRC32 crc = new CRC32();
    long received = 0;
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[65536];
      int n;
      while ((n = body.read(buffer)) >= 0) {
        crc.update(buffer, 0, n);
        received += n;
      }
    }
    assertThat(received).isEqualTo(SIZE);
    assertThat(crc.getValue()).isEqualTo(patternCrc(SIZE));
    assertThat(proxy.bufferedBytes().peak()).isLessThan(HELD_BOUND);
  }

  @Test
  void theResponseStartsBeforeTheRequestBodyEnded() throws Exception {
    engine.mode(FakeEngine.Mode.ECHO);
    try (Socket socket = new Socket("127.0.0.1", proxy.listenAddress().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      out.write(
          ("POST /chat HTTP/1.1\r\nhost: proxy\r\nx-wr-destination: http://files.store/chat\r\n"
                  + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();

      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      String line;
      boolean chunked = false;
      while (!(line = in.readLine()).isEmpty()) {
        chunked |= line.equalsIgnoreCase("transfer-encoding: chunked");
      }
      assertThat(chunked).isTrue();
      assertThat(in.readLine()).isEqualTo("5");
      assertThat(in.readLine()).isEqualTo("hello");

      out.write("3\r\nbye\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(in.readLine()).isEqualTo("3");
      assertThat(in.readLine()).isEqualTo("bye");
      assertThat(in.readLine()).isEqualTo("0");
      assertThat(in.readLine()).isEmpty();
    }
  }

  static long patternCrc(long size) throws IOException {
    CRC32 crc = new CRC32();
    try (InputStream in = new PatternStream(size)) {
      byte[] buffer = new byte[65536];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        crc.update(buffer, 0, n);
      }
    }
    return crc.getValue();
  }

  /** {@code size} bytes of {@link FakeEngine#pattern}, generated as read. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long offset;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return offset < size ? FakeEngine.pattern(offset++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (offset >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - offset);
      for (int i = 0; i < n; i++) {
        b[off + i] = FakeEngine.pattern(offset + i);
      }
      offset += n;
      return n;
    }
  }
}
