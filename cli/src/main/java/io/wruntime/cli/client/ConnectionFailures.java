package io.wruntime.cli.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Says in a few words why a connection failed, from the exception and its causes. */
public final class ConnectionFailures {
  private ConnectionFailures() {}

  /**
   * A short lowercase reason such as {@code connection refused} or {@code unknown host foo}, or
   * null when no cause in the chain is a connection failure.
   */
  public static String reason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnknownHostException) {
        return "unknown host" + (t.getMessage() == null ? "" : " " + t.getMessage());
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof HttpConnectTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof ConnectException) {
        String message = t.getMessage() == null ? "" : t.getMessage();
        return message.toLowerCase(Locale.ROOT).contains("timed out")
            ? "connection timed out"
            : "connection refused";
      }
      if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof SSLException) {
        return "TLS handshake failed: " + t.getMessage();
      }
      if (t instanceof ClosedChannelException) {
        return "connection closed";
      }
      if (t instanceof IOException
          && t.getMessage() != null
          && t.getMessage().toLowerCase(Locale.ROOT).contains("connection reset")) {
        return "connection closed"; // reset by the other side, e.g. a TLS server to plaintext
      }
    }
    return null;
  }
}
