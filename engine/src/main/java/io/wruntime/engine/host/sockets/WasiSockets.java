package io.wruntime.engine.host.sockets;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.AbsentResource;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of {@code wasi:sockets} 0.2.x: present, so that modules importing it link, and
 * denying. A module reaches other modules and the outside only through {@code
 * wasi:http/outgoing-handler}, which the proxy routes. {@code instance-network} gives a network
 * handle; creating a TCP or UDP socket fails with {@code access-denied} (refused by policy, for
 * either address family), and so does {@code resolve-addresses}, after refusing a name longer than
 * {@value #MAX_NAME_BYTES} bytes with {@code invalid-argument}. So no socket nor {@code
 * resolve-address-stream} can exist, and every method of one is called with a handle that is not
 * one (an ABI violation).
 */
public final class WasiSockets {
  public static final String NETWORK = "wasi:sockets/network";
  public static final String INSTANCE_NETWORK = "wasi:sockets/instance-network";
  public static final String TCP = "wasi:sockets/tcp";
  public static final String TCP_CREATE_SOCKET = "wasi:sockets/tcp-create-socket";
  public static final String UDP = "wasi:sockets/udp";
  public static final String UDP_CREATE_SOCKET = "wasi:sockets/udp-create-socket";
  public static final String IP_NAME_LOOKUP = "wasi:sockets/ip-name-lookup";

  /** {@code wasi:sockets/network.error-code}: the cases this host answers. */
  public static final int ACCESS_DENIED = 1;

  public static final int INVALID_ARGUMENT = 3;

  /**
   * The longest name {@code resolve-addresses} takes, in UTF-8 bytes: a DNS name has at most 253
   * characters. A longer one is {@code invalid-argument}, refused without being copied.
   */
  public static final int MAX_NAME_BYTES = 253;

  private static final String NETWORK_RESOURCE = NETWORK + ".network";

  private static final AbsentResource TCP_SOCKET = new AbsentResource(TCP, "tcp-socket");
  private static final AbsentResource UDP_SOCKET = new AbsentResource(UDP, "udp-socket");
  private static final AbsentResource INCOMING_DATAGRAMS =
      new AbsentResource(UDP, "incoming-datagram-stream");
  private static final AbsentResource OUTGOING_DATAGRAMS =
      new AbsentResource(UDP, "outgoing-datagram-stream");
  private static final AbsentResource RESOLVE_STREAM =
      new AbsentResource(IP_NAME_LOOKUP, "resolve-address-stream");

  /** start-bind, start-connect, stream: self, a network or option, an ip-socket-address, ret. */
  private static final ValType[] SOCKET_ADDRESS_CALL = {
    I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32
  };

  private WasiSockets() {}

  /** Every function of the seven wasi:sockets interfaces, with their flat core signatures. */
  public static List<HostFunctionDef> functions() {
    List<HostFunctionDef> defs = new ArrayList<>();
    defs.add(
        new HostFunctionDef(
            NETWORK,
            "[resource-drop]network",
            List.of(I32),
            List.of(),
            (c, a) -> {
              c.resources().remove(a[0], Network.class, NETWORK_RESOURCE);
              return null;
            }));
    // () -> network
    defs.add(
        new HostFunctionDef(
            INSTANCE_NETWORK,
            "instance-network",
            List.of(),
            List.of(I32),
            (c, a) -> new long[] {c.resources().add(new Network())}));
    // (address-family, ret: *result<socket, error-code>) -> (); ret: [0] u8 1=err, [4] u8 code
    defs.add(createSocket(TCP_CREATE_SOCKET, "create-tcp-socket"));
    defs.add(createSocket(UDP_CREATE_SOCKET, "create-udp-socket"));
    // (network: borrow<network>, name ptr, name len, ret: *result<resolve-address-stream,
    // error-code>) -> (); ret: [0] u8 1=err, [4] u8 code
    defs.add(
        new HostFunctionDef(
            IP_NAME_LOOKUP,
            "resolve-addresses",
            List.of(I32, I32, I32, I32),
            List.of(),
            (c, a) -> {
              c.resources().get(a[0], Network.class, NETWORK_RESOURCE);
              c.memory().checkRange("name", a[1], a[2]);
              if ((a[2] & 0xFFFF_FFFFL) > MAX_NAME_BYTES) {
                writeError(c, a[3], INVALID_ARGUMENT);
                return null;
              }
              // Only now copied: at most MAX_NAME_BYTES, which must be UTF-8 as every string.
              c.memory().readString("name", a[1], a[2]);
              writeError(c, a[3], ACCESS_DENIED);
              return null;
            }));
    defs.add(RESOLVE_STREAM.method("resolve-next-address", List.of(I32, I32), List.of()));
    defs.add(RESOLVE_STREAM.method("subscribe", List.of(I32), List.of(I32)));
    defs.add(RESOLVE_STREAM.drop());

    tcp(defs, "start-bind", SOCKET_ADDRESS_CALL);
    tcp(defs, "finish-bind", I32, I32);
    tcp(defs, "start-connect", SOCKET_ADDRESS_CALL);
    tcp(defs, "finish-connect", I32, I32);
    tcp(defs, "start-listen", I32, I32);
    tcp(defs, "finish-listen", I32, I32);
    tcp(defs, "accept", I32, I32);
    tcp(defs, "local-address", I32, I32);
    tcp(defs, "remote-address", I32, I32);
    defs.add(TCP_SOCKET.method("is-listening", List.of(I32), List.of(I32)));
    defs.add(TCP_SOCKET.method("address-family", List.of(I32), List.of(I32)));
    tcp(defs, "set-listen-backlog-size", I32, I64, I32);
    tcp(defs, "keep-alive-enabled", I32, I32);
    tcp(defs, "set-keep-alive-enabled", I32, I32, I32);
    tcp(defs, "keep-alive-idle-time", I32, I32);
    tcp(defs, "set-keep-alive-idle-time", I32, I64, I32);
    tcp(defs, "keep-alive-interval", I32, I32);
    tcp(defs, "set-keep-alive-interval", I32, I64, I32);
    tcp(defs, "keep-alive-count", I32, I32);
    tcp(defs, "set-keep-alive-count", I32, I32, I32);
    tcp(defs, "hop-limit", I32, I32);
    tcp(defs, "set-hop-limit", I32, I32, I32);
    tcp(defs, "receive-buffer-size", I32, I32);
    tcp(defs, "set-receive-buffer-size", I32, I64, I32);
    tcp(defs, "send-buffer-size", I32, I32);
    tcp(defs, "set-send-buffer-size", I32, I64, I32);
    defs.add(TCP_SOCKET.method("subscribe", List.of(I32), List.of(I32)));
    tcp(defs, "shutdown", I32, I32, I32);
    defs.add(TCP_SOCKET.drop());

    udp(defs, UDP_SOCKET, "start-bind", SOCKET_ADDRESS_CALL);
    udp(defs, UDP_SOCKET, "finish-bind", I32, I32);
    udp(defs, UDP_SOCKET, "stream", SOCKET_ADDRESS_CALL);
    udp(defs, UDP_SOCKET, "local-address", I32, I32);
    udp(defs, UDP_SOCKET, "remote-address", I32, I32);
    defs.add(UDP_SOCKET.method("address-family", List.of(I32), List.of(I32)));
    udp(defs, UDP_SOCKET, "unicast-hop-limit", I32, I32);
    udp(defs, UDP_SOCKET, "set-unicast-hop-limit", I32, I32, I32);
    udp(defs, UDP_SOCKET, "receive-buffer-size", I32, I32);
    udp(defs, UDP_SOCKET, "set-receive-buffer-size", I32, I64, I32);
    udp(defs, UDP_SOCKET, "send-buffer-size", I32, I32);
    udp(defs, UDP_SOCKET, "set-send-buffer-size", I32, I64, I32);
    defs.add(UDP_SOCKET.method("subscribe", List.of(I32), List.of(I32)));
    defs.add(UDP_SOCKET.drop());
    udp(defs, INCOMING_DATAGRAMS, "receive", I32, I64, I32);
    defs.add(INCOMING_DATAGRAMS.method("subscribe", List.of(I32), List.of(I32)));
    defs.add(INCOMING_DATAGRAMS.drop());
    udp(defs, OUTGOING_DATAGRAMS, "check-send", I32, I32);
    udp(defs, OUTGOING_DATAGRAMS, "send", I32, I32, I32, I32);
    defs.add(OUTGOING_DATAGRAMS.method("subscribe", List.of(I32), List.of(I32)));
    defs.add(OUTGOING_DATAGRAMS.drop());
    return List.copyOf(defs);
  }

  private static HostFunctionDef createSocket(String iface, String name) {
    return new HostFunctionDef(
        iface,
        name,
        List.of(I32, I32),
        List.of(),
        (c, a) -> {
          if (a[0] != 0 && a[0] != 1) {
            throw new AbiViolation(
                "address-family: case " + a[0] + " (expected: 0 ipv4 or 1 ipv6)");
          }
          writeError(c, a[1], ACCESS_DENIED);
          return null;
        });
  }

  /** Writes {@code err(code)} into the return area of a {@code result<handle, error-code>}. */
  private static void writeError(InstanceContext ctx, long ret, int code) {
    ctx.memory().checkAligned("return area", ret, 4, 8);
    ctx.memory().writeU8("return area", ret, 1);
    ctx.memory().writeU8("return area", ret + 4, code);
  }

  private static void tcp(List<HostFunctionDef> defs, String method, ValType... params) {
    defs.add(TCP_SOCKET.method(method, List.of(params), List.of()));
  }

  private static void udp(
      List<HostFunctionDef> defs, AbsentResource resource, String method, ValType... params) {
    defs.add(resource.method(method, List.of(params), List.of()));
  }

  /** The default network: a capability that grants nothing here. */
  static final class Network implements WitResource {
    @Override
    public String witName() {
      return NETWORK_RESOURCE;
    }
  }
}
