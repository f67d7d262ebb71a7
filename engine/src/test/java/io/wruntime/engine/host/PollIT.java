package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** wasi:io/poll over stream and clock pollables. */
class PollIT {
  private static LoadedModule module;
  private InstanceContext ctx;

  @BeforeAll
  static void load() throws Exception {
    module = TestGuests.load("hostcore", ExecutionMode.COMPILED);
  }

  @BeforeEach
  void context() {
    ctx = module.newContext("-");
  }

  private int input(Pipe pipe) {
    return ctx.resources().add(new InputStreamResource(pipe, "test input"));
  }

  @Test
  void pollReturnsThePollableThatAnotherThreadMadeReady() throws Exception {
    Pipe a = new Pipe();
    Pipe b = new Pipe();
    int ha = input(a);
    int hb = input(b);
    CompletableFuture<Long> result = new CompletableFuture<>();
    Thread guest =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(module.call(ctx, "poll_two", ha, hb)[0]);
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    await().until(() -> TestGuests.isBlockedInHost(guest));
    assertThat(result).isNotDone();

    b.write(new byte[] {1}, 0, 1);

    assertThat(result.get()).isEqualTo(1);
  }

  @Test
  void pollWithAClockDeadlineFiresTheTimer() throws Exception {
    long start = System.nanoTime();

    assertThat(module.call(ctx, "poll_deadline", input(new Pipe()), 50)[0]).isEqualTo(1);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50_000_000L);
  }

  @Test
  void pollPrefersAStreamThatIsAlreadyReady() throws Exception {
    Pipe pipe = new Pipe();
    pipe.finish(List.of());

    assertThat(module.call(ctx, "poll_deadline", input(pipe), 10_000)[0]).isZero();
  }

  @Test
  void blockOnAMonotonicInstantWaitsUntilIt() throws Exception {
    assertThat(module.call(ctx, "sleep_until", 30)[0]).isGreaterThanOrEqualTo(30_000_000L);
  }

  @Test
  void readySaysWhetherAStreamHasSomethingToRead() throws Exception {
    Pipe pipe = new Pipe();
    assertThat(module.call(ctx, "ready_now", input(pipe))[0]).isZero();

    pipe.write(new byte[] {1}, 0, 1);
    ctx = module.newContext("-");
    assertThat(module.call(ctx, "ready_now", input(pipe))[0]).isEqualTo(1);
  }
}
