package io.wruntime.engine.registration;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.net.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Engine ids and addresses as the engine registers them. */
public final class EngineIds {
  /** Room left for {@code -port-random} within the 253 characters an engine id may have. */
  private static final int MAX_HOST_LENGTH = 200;

  private EngineIds() {}

  /**
   * A new id {@code host-port-random}, e.g. {@code node-a-9100-3f9a2c1e}: the host name (from
   * {@code HOSTNAME}, else the system's), the listener's port, and 8 random hex digits so that a
   * restarted engine is a new engine.
   */
  public static String generate(HostPort listen) {
    requireNonNull(listen, "listen");
    String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    return sanitize(hostName()) + "-" + listen.port() + "-" + random;
  }

  /**
   * The engine's HTTP address as its proxy reaches it, {@code http://host:port}: the listener's
   * address, with a wildcard host ({@code 0.0.0.0}, {@code ::}) replaced by loopback, where the
   * proxy on the same node reaches it.
   */
  public static String engineAddress(HostPort listen) {
    requireNonNull(listen, "listen");
    HostPort reachable = listen;
    if (listen.host().equals("0.0.0.0")) {
      reachable = new HostPort("127.0.0.1", listen.port());
    } else if (listen.host().equals("::") || listen.host().equals("0:0:0:0:0:0:0:0")) {
      reachable = new HostPort("::1", listen.port());
    }
    return "http://" + reachable;
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "engine";
    }
  }

  /** Keeps the characters engine ids allow ({@code [A-Za-z0-9._:-]}); others become '-'. */
  static String sanitize(String host) {
    StringBuilder out = new StringBuilder(Math.min(host.length(), MAX_HOST_LENGTH));
    for (int i = 0; i < host.length() && out.length() < MAX_HOST_LENGTH; i++) {
      char c = host.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      out.append(allowed ? c : '-');
    }
    return out.isEmpty() ? "engine" : out.toString().toLowerCase(Locale.ROOT);
  }
}
