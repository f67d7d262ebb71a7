package io.wruntime.cli.kube;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pod port-forward subresource for the Fabric8 mock API server: a WebSocket on {@code
 * /api/v1/namespaces/NS/pods/POD/portforward?ports=PORT} relayed to a real server on loopback, in
 * the kubelet's framing (each message starts with its channel byte, 0 data and 1 error; the first
 * message on each channel carries the port as two little-endian bytes). Every other request goes to
 * the wrapped dispatcher.
 */
final class PortForwardRelay extends Dispatcher {
  private static final Pattern PATH =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/portforward\\?ports=(\\d+)");

  private final Dispatcher api;
  private final Map<String, InetSocketAddress> targets = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();

  PortForwardRelay(Dispatcher api) {
    this.api = api;
  }

  /** Connections to {@code namespace/pod:port} go to {@code target}. */
  void target(String namespace, String pod, int port, InetSocketAddress target) {
    targets.put(namespace + "/" + pod + ":" + port, target);
  }

  /** Relayed connections not closed yet. */
  int open() {
    return open.get();
  }

  /** Relayed connections opened so far. */
  int opened() {
    return opened.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Matcher m = PATH.matcher(request.getPath());
    if (!m.matches()) {
      return api.dispatch(request);
    }
    InetSocketAddress target = targets.get(m.group(1) + "/" + m.group(2) + ":" + m.group(3));
    if (target == null) {
      return new MockResponse().setResponseCode(404).setBody("no such pod port");
    }
    return new MockResponse().withWebSocketUpgrade(new Relay(target, Integer.parseInt(m.group(3))));
  }

  @Override
  public void shutdown() {
    api.shutdown();
  }

  private final class Relay extends WebSocketListener {
    private final InetSocketAddress target;
    private final int port;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Socket socket;

    Relay(InetSocketAddress target, int port) {
      this.target = target;
      this.port = port;
    }

    @Override
    public synchronized void onOpen(WebSocket ws, Response response) {
      try {
        socket = new Socket(target.getAddress(), target.getPort());
      } catch (IOException e) {
        ws.close(1011, "cannot connect");
        return;
      }
      open.incrementAndGet();
      opened.incrementAndGet();
      byte lo = (byte) (port & 0xff);
      byte hi = (byte) (port >> 8);
      ws.send(new byte[] {0, lo, hi});
      ws.send(new byte[] {1, lo, hi});
      Thread.ofVirtual()
          .start(
              () -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = socket.getInputStream()) {
                  for (int n; (n = in.read(buffer)) > 0; ) {
                    byte[] frame = new byte[n + 1];
                    System.arraycopy(buffer, 0, frame, 1, n);
                    ws.send(frame);
                  }
                } catch (IOException e) {
                  // the other side closed
                } finally {
                  closeSocket();
                  ws.close(1000, "");
                }
              });
    }

    @Override
    public void onMessage(WebSocket ws, byte[] bytes) {
      data(bytes);
    }

    @Override
    public void onMessage(WebSocket ws, ByteString bytes) {
      data(bytes.toByteArray());
    }

    private synchronized void data(byte[] frame) {
      if (frame.length < 2 || frame[0] != 0 || socket == null) {
        return;
      }
      try {
        OutputStream out = socket.getOutputStream();
        out.write(Arrays.copyOfRange(frame, 1, frame.length));
        out.flush();
      } catch (IOException e) {
        closeSocket();
      }
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      closeSocket();
    }

    @Override
    public void onClosed(WebSocket ws, int code, String reason) {
      closeSocket();
    }

    @Override
    public void onFailure(WebSocket ws, Throwable t, Response response) {
      closeSocket();
    }

    private void closeSocket() {
      Socket s = socket;
      if (s != null && closed.compareAndSet(false, true)) {
        try {
          s.close();
        } catch (IOException e) {
          // closing anyway
        }
        open.decrementAndGet();
      }
    }
  }
}
