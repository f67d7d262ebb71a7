package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** wasi:clocks, wasi:random and wasi:cli, and WASI preview 1 output through libc. */
class ClocksRandomCliIT {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  @RegisterExtension final LogCapture log = new LogCapture();

  private static LoadedModule module;

  @BeforeAll
  static void load() throws Exception {
    module = TestGuests.load("hostcore", ExecutionMode.COMPILED);
  }

  private long call(String export, long... args) throws GuestException {
    return module.call(module.newContext("-"), export, args)[0];
  }

  @Test
  void monotonicClockNeverGoesBackAndWallClockIsNow() throws Exception {
    assertThat(call("clocks")).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 33, 4096, 65536})
  void randomBytesHaveTheLengthAskedFor(int length) throws Exception {
    assertThat(call("random_bytes", length, 0)).isEqualTo(length);
    assertThat(call("random_bytes", length, 1)).isEqualTo(length);
  }

  @Test
  void randomValuesDifferAndTheInsecureSeedIsStable() throws Exception {
    assertThat(call("random_values")).isZero();
  }

  @Test
  void tooManyRandomBytesIsAnAbiViolation() {
    assertThatThrownBy(() -> call("random_bytes", 2_000_000, 0))
        .isInstanceOfSatisfying(
            GuestException.class,
            e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.ABI_VIOLATION))
        .hasMessageContaining(
            "wasi:random/random@0.2.3#get-random-bytes: len: 2000000 random bytes asked for"
                + " (expected: at most 1048576 per call)");
  }

  @Test
  void environmentIsTheModulesEnvWithoutArgumentsCwdOrTerminal() throws Exception {
    assertThat(call("print_environment")).isEqualTo(2);

    assertThat(log.lines())
        .containsSubsequence(
            "[test.hostcore@1.0.0 trace=-] stdout: env GREETING=hello",
            "[test.hostcore@1.0.0 trace=-] stdout: env MODE=test",
            "[test.hostcore@1.0.0 trace=-] stdout: args 0 cwd none terminal none",
            "[test.hostcore@1.0.0 trace=-] stdout: libc GREETING=hello");
  }

  @Test
  void stdoutAndStderrLinesReachTheLogTaggedWithModuleAndTraceId() throws Exception {
    module.call(module.newContext(TRACE_ID), "hello");

    String tag = "[test.hostcore@1.0.0 trace=" + TRACE_ID + "] ";
    assertThat(log.lines())
        .containsExactly(
            tag + "stdout: hello from libc",
            tag + "stdout: hello from wasi:cli/stdout",
            tag + "stderr: to stderr",
            tag + "stderr: partial");
  }
}
