package io.wruntime.engine.host.cli;

import static com.dylibso.chicory.wasm.types.ValType.I32;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.AbsentResource;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.host.io.OutputStreamResource;
import io.wruntime.engine.http.BodySource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host side of {@code wasi:cli} 0.2.x: environment (the module's configured env, no arguments,
 * no working directory), exit, stdin (always empty), stdout and stderr (to the engine's log through
 * the instance's {@link GuestOutput}), and the terminal interfaces (never a terminal).
 */
public final class WasiCli {
  public static final String ENVIRONMENT = "wasi:cli/environment";
  public static final String EXIT = "wasi:cli/exit";
  public static final String STDIN = "wasi:cli/stdin";
  public static final String STDOUT = "wasi:cli/stdout";
  public static final String STDERR = "wasi:cli/stderr";
  public static final String TERMINAL_INPUT = "wasi:cli/terminal-input";
  public static final String TERMINAL_OUTPUT = "wasi:cli/terminal-output";
  public static final String TERMINAL_STDIN = "wasi:cli/terminal-stdin";
  public static final String TERMINAL_STDOUT = "wasi:cli/terminal-stdout";
  public static final String TERMINAL_STDERR = "wasi:cli/terminal-stderr";

  private WasiCli() {}

  /**
   * The instance's output: the one its runner put into the context, or one logging untraced lines
   * to the context's guest log.
   */
  public static GuestOutput output(InstanceContext ctx) {
    return ctx.state(
        GuestOutput.class,
        () ->
            new GuestOutput(ctx.guestLog(), ctx.module().label(), "-", GuestOutput.DEFAULT_LIMIT));
  }

  /** Every function of the wasi:cli interfaces, with their flat core signatures. */
  public static List<HostFunctionDef> functions() {
    List<HostFunctionDef> defs = new ArrayList<>();
    // (ret: *list<tuple<string, string>>) -> (); ret: [0] ptr, [4] len; element (16 bytes, align
    // 4): [0] name ptr, [4] name len, [8] value ptr, [12] value len
    defs.add(
        new HostFunctionDef(
            ENVIRONMENT,
            "get-environment",
            List.of(I32),
            List.of(),
            (c, a) -> {
              environment(c, a[0]);
              return null;
            }));
    // (ret: *list<string>) -> (); always empty
    defs.add(
        new HostFunctionDef(
            ENVIRONMENT,
            "get-arguments",
            List.of(I32),
            List.of(),
            (c, a) -> {
              c.memory().writeList("return area", a[0], new byte[0]);
              return null;
            }));
    // (ret: *option<string>) -> (); ret: [0] u8 0=none; always none
    defs.add(
        new HostFunctionDef(
            ENVIRONMENT,
            "initial-cwd",
            List.of(I32),
            List.of(),
            (c, a) -> {
              c.memory().checkAligned("return area", a[0], 4, 12);
              c.memory().writeU8("return area", a[0], 0);
              return null;
            }));
    // (status: result) -> (): flat i32 0=ok, 1=err; any other discriminant is no result
    defs.add(
        new HostFunctionDef(
            EXIT,
            "exit",
            List.of(I32),
            List.of(),
            (c, a) -> {
              throw switch ((int) a[0]) {
                case 0 -> new GuestExit("exit(ok)");
                case 1 -> new GuestExit("exit(err)");
                default ->
                    new AbiViolation(
                        "status: result discriminant "
                            + Integer.toUnsignedString((int) a[0])
                            + " (expected: 0 ok or 1 err)");
              };
            }));
    // (status-code: u8) -> (): stable since 0.2.12 (unstable feature cli-exit-with-code before)
    defs.add(
        new HostFunctionDef(
            EXIT,
            "exit-with-code",
            List.of(I32),
            List.of(),
            (c, a) -> {
              throw new GuestExit("exit-with-code(" + (a[0] & 0xFF) + ")");
            }));
    // () -> input-stream
    defs.add(
        new HostFunctionDef(
            STDIN,
            "get-stdin",
            List.of(),
            List.of(I32),
            (c, a) ->
                new long[] {
                  c.resources().add(new InputStreamResource(BodySource.empty(), "stdin"))
                }));
    // () -> output-stream
    defs.add(
        new HostFunctionDef(
            STDOUT,
            "get-stdout",
            List.of(),
            List.of(I32),
            (c, a) ->
                new long[] {
                  c.resources().add(new OutputStreamResource(output(c).stdoutSink(), "stdout"))
                }));
    defs.add(
        new HostFunctionDef(
            STDERR,
            "get-stderr",
            List.of(),
            List.of(I32),
            (c, a) ->
                new long[] {
                  c.resources().add(new OutputStreamResource(output(c).stderrSink(), "stderr"))
                }));
    // No instance has a terminal: dropping any handle as one is a violation.
    defs.add(new AbsentResource(TERMINAL_INPUT, "terminal-input").drop());
    defs.add(new AbsentResource(TERMINAL_OUTPUT, "terminal-output").drop());
    // (ret: *option<terminal-*>) -> (); ret: [0] u8 0=none, [4] handle; always none
    defs.add(noTerminal(TERMINAL_STDIN, "get-terminal-stdin"));
    defs.add(noTerminal(TERMINAL_STDOUT, "get-terminal-stdout"));
    defs.add(noTerminal(TERMINAL_STDERR, "get-terminal-stderr"));
    return List.copyOf(defs);
  }

  private static void environment(InstanceContext ctx, long ret) {
    GuestMemory memory = ctx.memory();
    memory.checkAligned("return area", ret, 4, 8);
    Map<String, String> env = new TreeMap<>(ctx.module().env());
    int count = env.size();
    int list = memory.allocate(4, count * 16);
    int i = 0;
    for (Map.Entry<String, String> e : env.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = e.getValue().getBytes(StandardCharsets.UTF_8);
      int namePtr = memory.allocateBytes(name);
      int valuePtr = memory.allocateBytes(value);
      long at = list + 16L * i++;
      memory.writeI32("environment list", at, namePtr);
      memory.writeI32("environment list", at + 4, name.length);
      memory.writeI32("environment list", at + 8, valuePtr);
      memory.writeI32("environment list", at + 12, value.length);
    }
    memory.writeI32("return area", ret, list);
    memory.writeI32("return area", ret + 4, count);
  }

  private static HostFunctionDef noTerminal(String iface, String name) {
    return new HostFunctionDef(
        iface,
        name,
        List.of(I32),
        List.of(),
        (c, a) -> {
          c.memory().checkAligned("return area", a[0], 4, 8);
          c.memory().writeU8("return area", a[0], 0);
          return null;
        });
  }
}
