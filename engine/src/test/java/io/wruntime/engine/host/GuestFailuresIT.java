package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestException.Kind;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A guest that misbehaves fails its own call with a clear kind, and the module keeps working. */
class GuestFailuresIT {
  @RegisterExtension final LogCapture log = new LogCapture();

  private static long call(LoadedModule module, String export, long... args) throws GuestException {
    return module.call(module.newContext("-"), export, args)[0];
  }

  private static GuestException failure(LoadedModule module, String export, long... args) {
    try {
      module.call(module.newContext("-"), export, args);
    } catch (GuestException e) {
      return e;
    }
    throw new AssertionError(export + " did not fail");
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void outOfBoundsPointerIsAnAbiViolationNamingTheArgument(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("hostcore", mode);

    GuestException e = failure(module, "bad_pointer");

    assertThat(e.kind()).isEqualTo(Kind.ABI_VIOLATION);
    assertThat(e.getMessage())
        .isEqualTo(
            "wasi:io/streams@0.2.0#[method]output-stream.write: contents: range"
                + " [4294967040, 4294967056) is outside guest memory of 131072 bytes (expected: a"
                + " pointer and length within memory)");
    assertThat(call(module, "clocks")).isZero();
  }

  @Test
  void unknownHandleIsAnAbiViolation() throws Exception {
    LoadedModule module = TestGuests.load("hostcore", ExecutionMode.COMPILED);

    GuestException e = failure(module, "bad_handle");

    assertThat(e.kind()).isEqualTo(Kind.ABI_VIOLATION);
    assertThat(e.getMessage())
        .isEqualTo(
            "wasi:io/poll@0.2.0#[method]pollable.block: handle 4242 is not a live"
                + " wasi:io/poll.pollable handle");
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void trapEndsTheCallAndTheNextCallWorks(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("hostcore", mode);

    GuestException e = failure(module, "trap");

    assertThat(e.kind()).isEqualTo(Kind.TRAP);
    assertThat(e.getMessage()).isEqualTo("Trapped on unreachable instruction");
    assertThat(call(module, "clocks")).isZero();
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void endlessRecursionTraps(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("hostcore", mode);

    assertThat(failure(module, "recurse", 1).kind()).isEqualTo(Kind.TRAP);
    assertThat(call(module, "clocks")).isZero();
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void infiniteLoopStopsPromptlyWhenItsThreadIsInterrupted(ExecutionMode mode) throws Exception {
    LoadedModule module = TestGuests.load("hostcore", mode);
    CompletableFuture<GuestException> result = new CompletableFuture<>();
    Thread guest =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(failure(module, "spin"));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    await().until(() -> log.lines().stream().anyMatch(l -> l.endsWith("stdout: spinning")));

    long start = System.nanoTime();
    guest.interrupt();
    GuestException e = result.get(5, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(e.kind()).isEqualTo(Kind.INTERRUPTED);
    guest.join();
  }

  @Test
  void blockingHostCallStopsWhenItsThreadIsInterrupted() throws Exception {
    LoadedModule module = TestGuests.load("hostcore", ExecutionMode.COMPILED);
    InstanceContext ctx = module.newContext("-");
    Pipe nobodyWrites = new Pipe();
    int in = ctx.resources().add(new InputStreamResource(nobodyWrites, "test input"));
    CompletableFuture<Boolean> interruptRestored = new CompletableFuture<>();
    CompletableFuture<GuestException> result = new CompletableFuture<>();
    Thread guest =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    module.call(ctx, "block_forever", in);
                    result.complete(null);
                  } catch (GuestException e) {
                    interruptRestored.complete(Thread.currentThread().isInterrupted());
                    result.complete(e);
                  }
                });
    await().until(() -> TestGuests.isBlockedInHost(guest));

    guest.interrupt();

    assertThat(result.get(5, TimeUnit.SECONDS).kind()).isEqualTo(Kind.INTERRUPTED);
    assertThat(interruptRestored.get()).isTrue();
  }

  @Test
  void memoryCannotGrowBeyondTheModulesLimit() throws Exception {
    LoadedModule module = TestGuests.load("hostcore", ExecutionMode.COMPILED);

    // 2 MiB = 32 pages; the module starts with 2.
    assertThat(call(module, "grow", 100)).isEqualTo(-1);
    assertThat(call(module, "grow", 30)).isEqualTo(2);
    assertThat(call(module, "allocate", 1)).isZero();
    assertThat(failure(module, "allocate", 4).kind()).isEqualTo(Kind.TRAP);
  }

  @Test
  void exitBeforeAResponseIsATrap() throws Exception {
    LoadedModule module = TestGuests.load("hostcore", ExecutionMode.COMPILED);

    GuestException e = failure(module, "exit_now");

    assertThat(e.kind()).isEqualTo(Kind.TRAP);
    assertThat(e.getMessage()).isEqualTo("the module called exit(ok) before setting a response");
  }

  @Test
  void failedCallStillReleasesItsResources() throws Exception {
    LoadedModule module = TestGuests.load("hostcore", ExecutionMode.COMPILED);
    InstanceContext ctx = module.newContext("-");
    boolean[] closed = new boolean[1];
    ctx.resources()
        .add(
            new io.wruntime.engine.host.abi.WitResource() {
              @Override
              public String witName() {
                return "test:resource";
              }

              @Override
              public void close() {
                closed[0] = true;
              }
            });

    assertThatThrownBy(() -> module.call(ctx, "trap")).isInstanceOf(GuestException.class);
    assertThat(closed[0]).isTrue();
  }
}
