package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.host.io.OutputStreamResource;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** wasi:io/streams as a guest sees it, over in-memory bodies the test feeds and drains. */
class StreamsIT {
  private static final int CLOSED = -1;
  private static final int FAILED = -2;

  @RegisterExtension final LogCapture log = new LogCapture();

  private static LoadedModule module;

  @BeforeAll
  static void load() throws Exception {
    module = TestGuests.load("hostcore", ExecutionMode.COMPILED);
  }

  private InstanceContext ctx;

  private int input(Pipe pipe) {
    return ctx.resources().add(new InputStreamResource(pipe, "test input"));
  }

  private int output(Pipe pipe) {
    return ctx.resources().add(new OutputStreamResource(pipe, "test output"));
  }

  private long call(String export, long... args) throws Exception {
    return module.call(ctx, export, args)[0];
  }

  @org.junit.jupiter.api.BeforeEach
  void context() {
    ctx = module.newContext("-");
  }

  @Test
  void readReturnsWhatIsAvailableWithoutBlocking() throws Exception {
    Pipe pipe = new Pipe();
    assertThat(call("read_once", input(pipe), 100)).isZero();

    ctx = module.newContext("-");
    pipe.write("hello".getBytes(), 0, 5);
    assertThat(call("read_once", input(pipe), 100)).isEqualTo(5);
  }

  @Test
  void readIsCappedAndReportsClosedAtTheEnd() throws Exception {
    Pipe pipe = new Pipe(200_000);
    pipe.write(new byte[100_000], 0, 100_000);
    pipe.finish(List.of());
    int in = input(pipe);
    assertThat(module.call(ctx, "read_once", in, 1_000_000)[0]).isEqualTo(64 * 1024);

    ctx = module.newContext("-");
    in = input(pipe);
    assertThat(call("read_once", in, 1_000_000)).isEqualTo(100_000 - 64 * 1024);
    ctx = module.newContext("-");
    assertThat(call("read_once", input(pipe), 10)).isEqualTo(CLOSED);
  }

  @Test
  void failedBodyIsLastOperationFailedWithItsReason() throws Exception {
    Pipe pipe = new Pipe();
    pipe.abort("peer reset the stream");

    assertThat(call("read_once", input(pipe), 10)).isEqualTo(FAILED);
    assertThat(log.lines())
        .anyMatch(l -> l.endsWith("stdout: read failed: test input: peer reset the stream"));
  }

  @Test
  void blockedReaderWakesWhenDataArrivesFromAnotherThread() throws Exception {
    Pipe pipe = new Pipe();
    int in = input(pipe);
    CompletableFuture<Long> result = new CompletableFuture<>();
    Thread guest =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(module.call(ctx, "read_after_block", in)[0]);
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    await().until(() -> TestGuests.isBlockedInHost(guest));
    assertThat(result).isNotDone();

    pipe.write("late".getBytes(), 0, 4);

    assertThat(result.get()).isEqualTo(4);
  }

  @Test
  void copyRespectsCheckWriteUnderBackpressure() throws Exception {
    byte[] body = new byte[1024 * 1024 + 17];
    new Random(42).nextBytes(body);
    Pipe in = new Pipe(8 * 1024);
    Pipe out = new Pipe(1000);
    CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> produce(in, body));
    CompletableFuture<byte[]> consumer = CompletableFuture.supplyAsync(() -> drain(out, 300));

    long copied = call("copy", input(in), output(out), 4096);
    out.finish(List.of());

    assertThat(copied).isEqualTo(body.length);
    producer.get();
    assertThat(consumer.get()).isEqualTo(body);
  }

  @Test
  void writeToAFailedBodyReportsTheFailure() throws Exception {
    Pipe in = new Pipe();
    in.write(new byte[10], 0, 10);
    in.finish(List.of());
    Pipe out = new Pipe();
    out.abort("client went away");

    assertThat(call("copy", input(in), output(out), 4096)).isEqualTo(FAILED);
    assertThat(log.lines())
        .anyMatch(l -> l.endsWith("check-write failed: test output: client went away"));
  }

  /**
   * A channel's capacity can drop on its event loop between the guest's check-write and its write
   * (Netty accounts for earlier writes there): the write still gets what check-write permitted.
   */
  @Test
  void aWriteWithinThePermitSucceedsWhenTheSinkShrankMeanwhile() throws Exception {
    Pipe in = new Pipe();
    in.write("0123456789".getBytes(), 0, 10);
    in.finish(List.of());
    Pipe out = new Pipe(100);
    int shrinking =
        ctx.resources().add(new OutputStreamResource(new ShrinksAfterEachLook(out), "test output"));

    assertThat(call("copy", input(in), shrinking, 4096)).isEqualTo(10);
    out.finish(List.of());
    assertThat(new String(drain(out, 100))).isEqualTo("0123456789");
  }

  /** Reports the pipe's capacity, then none at the next look, and so on. */
  private static final class ShrinksAfterEachLook implements BodySink {
    private final Pipe pipe;
    private boolean shrunk;

    ShrinksAfterEachLook(Pipe pipe) {
      this.pipe = pipe;
    }

    @Override
    public long capacity() throws IOException {
      shrunk = !shrunk;
      return shrunk ? pipe.capacity() : 0;
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
      pipe.write(data, offset, length);
    }

    @Override
    public void awaitWritable() throws InterruptedException {
      pipe.awaitWritable();
    }

    @Override
    public boolean isWritable() {
      return pipe.isWritable();
    }

    @Override
    public void finish(List<Field> trailers) throws IOException {
      pipe.finish(trailers);
    }

    @Override
    public void abort(String reason) {
      pipe.abort(reason);
    }

    @Override
    public void addListener(Runnable listener) {
      pipe.addListener(listener);
    }
  }

  @Test
  void blockingWriteAndFlushWaitsForTheConsumer() throws Exception {
    Pipe out = new Pipe(1000);
    CompletableFuture<byte[]> consumer = CompletableFuture.supplyAsync(() -> drain(out, 100));

    assertThat(call("write_blocking", output(out), 20_000, 4096)).isZero();
    out.finish(List.of());

    byte[] received = consumer.get();
    assertThat(received).hasSize(20_000);
    assertThat(new String(received, 0, 30)).isEqualTo("abcdefghijklmnopqrstuvwxyzabcd");
  }

  @Test
  void blockingWriteAndFlushRejectsMoreThan4096Bytes() throws Exception {
    Pipe out = new Pipe();

    assertThat(call("write_blocking", output(out), 5000, 5000)).isEqualTo(FAILED);
    assertThat(log.lines())
        .anyMatch(
            l ->
                l.endsWith(
                    "blocking write failed: test output: blocking-write-and-flush of 5000 bytes"
                        + " (expected: at most 4096 per call)"));
    assertThat(out.isReadable()).isFalse();
  }

  @Test
  void writeBeyondWhatCheckWritePermitsFailsAndClosesTheStream() throws Exception {
    Pipe out = new Pipe(100);

    assertThat(call("write_beyond_permit", output(out))).isZero();
    assertThat(log.lines())
        .anyMatch(
            l ->
                l.contains(
                    "write beyond permit: test output: write of 101 bytes exceeds the 100 bytes"
                        + " check-write permits"));
  }

  @Test
  void blockingSpliceMovesAWholeBody() throws Exception {
    byte[] body = new byte[10_000];
    new Random(7).nextBytes(body);
    Pipe in = new Pipe(20_000);
    in.write(body, 0, body.length);
    in.finish(List.of());
    Pipe out = new Pipe(512);
    CompletableFuture<byte[]> consumer = CompletableFuture.supplyAsync(() -> drain(out, 64));

    assertThat(call("splice_all", input(in), output(out))).isEqualTo(body.length);
    out.finish(List.of());
    assertThat(consumer.get()).isEqualTo(body);
  }

  @Test
  void skipDiscardsBytes() throws Exception {
    Pipe in = new Pipe();
    in.write("abcdef".getBytes(), 0, 6);
    in.finish(List.of());
    int handle = input(in);

    assertThat(call("skip_once", handle, 4)).isEqualTo(4);
    ctx = module.newContext("-");
    assertThat(call("read_once", input(in), 100)).isEqualTo(2);
    ctx = module.newContext("-");
    assertThat(call("skip_once", input(in), 4)).isEqualTo(CLOSED);
  }

  @Test
  void stdinIsEmpty() throws Exception {
    assertThat(call("read_stdin")).isEqualTo(CLOSED);
  }

  private static void produce(Pipe pipe, byte[] body) {
    try {
      int offset = 0;
      while (offset < body.length) {
        pipe.awaitWritable();
        int n = (int) Math.min(pipe.capacity(), Math.min(3000, body.length - offset));
        pipe.write(body, offset, n);
        offset += n;
      }
      pipe.finish(List.of());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] drain(Pipe pipe, int piece) {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try {
      while (true) {
        pipe.awaitReadable();
        byte[] data = pipe.read(piece);
        if (data == null) {
          return received.toByteArray();
        }
        received.write(data);
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
