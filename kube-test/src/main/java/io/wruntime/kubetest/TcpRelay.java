package io.wruntime.kubetest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback to a server, whose connections a test can cut: a client configured with
 * the relay's port loses every open connection (its watches among them) at once, as when a load
 * balancer or the network drops them, and reconnects through the relay.
 */
public final class TcpRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private TcpRelay(ServerSocket listener, InetSocketAddress target) {
    this.listener = listener;
    this.target = target;
  }

  /** Starts relaying from a free loopback port to {@code host:port}. */
  public static TcpRelay start(String host, int port) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    TcpRelay relay = new TcpRelay(listener, new InetSocketAddress(host, port));
    Thread.ofVirtual().name("tcp-relay-accept").start(relay::accept);
    return relay;
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** How many connections are open (client side and server side counted once each). */
  public int openConnections() {
    return open.size() / 2;
  }

  /** Closes every open connection; new ones are relayed as before. */
  public void cutAll() {
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      Socket server = new Socket();
      try {
        server.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      open.add(client);
      open.add(server);
      Thread.ofVirtual().start(() -> pump(client, server));
      Thread.ofVirtual().start(() -> pump(server, client));
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Cut or closed by either side: close both below.
    } finally {
      open.remove(from);
      open.remove(to);
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cutAll();
  }
}
