package io.wruntime.common.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** Bare TCP connections for tests of listeners' connection caps and timeouts. */
public final class Sockets {
  private Sockets() {}

  /** A connection to {@code port} on 127.0.0.1. */
  public static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  /**
   * True when the server closed (or reset) {@code s}: a read sees the end within 200 ms. Data the
   * server sent counts as open; read it first.
   */
  public static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout(200);
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
