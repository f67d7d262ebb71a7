package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestException.Kind;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A wasi:http handler written in C against the raw imports, loaded by the real loader and served
 * through {@link GuestModule#handle}: request and response bodies stream through wasi:io.
 */
class HttpHandlerIT {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @RegisterExtension final LogCapture log = new LogCapture();

  private static GuestModule load(ExecutionMode mode) throws Exception {
    return new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)
        .load(TestGuests.definition("http_hello", mode));
  }

  private static IncomingRequest request(String path, Pipe body) {
    return new IncomingRequest(
        "POST",
        "http",
        "test.http-hello",
        path,
        List.of(Field.of("traceparent", TRACEPARENT)),
        body);
  }

  private static Pipe body(String text) throws IOException {
    Pipe pipe = new Pipe();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    pipe.write(bytes, 0, bytes.length);
    pipe.finish(List.of());
    return pipe;
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void handlesARequestAndStreamsTheResponse(ExecutionMode mode) throws Exception {
    GuestModule module = load(mode);
    PipeResponse response = new PipeResponse(64 * 1024);

    module.handle(request("/greet", body("abc def")), response);

    assertThat(response.status).isEqualTo(200);
    assertThat(Field.first(response.headers, "x-guest")).isEqualTo("raw-c");
    assertThat(drain(response.body)).isEqualTo("hello /greet\nABC DEF");
    assertThat(log.lines())
        .contains(
            "[test.http-hello@1.0.0 trace=4bf92f3577b34da6a3ce929d0e0e4736] stdout: handling /greet");
  }

  @Test
  void largeBodiesStreamThroughWithBackpressureBothWays() throws Exception {
    GuestModule module = load(ExecutionMode.COMPILED);
    byte[] payload = "streamed body ".repeat(80_000).getBytes(StandardCharsets.UTF_8);
    Pipe requestBody = new Pipe(4096);
    PipeResponse response = new PipeResponse(4096);
    CompletableFuture<Void> producer =
        CompletableFuture.runAsync(
            () -> {
              try {
                int offset = 0;
                while (offset < payload.length) {
                  requestBody.awaitWritable();
                  int n = (int) Math.min(requestBody.capacity(), payload.length - offset);
                  requestBody.write(payload, offset, n);
                  offset += n;
                }
                requestBody.finish(List.of());
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    CompletableFuture<String> consumer = new CompletableFuture<>();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    while (!response.isStarted()) {
                      Thread.onSpinWait();
                    }
                    consumer.complete(drain(response.body));
                  } catch (Throwable t) {
                    consumer.completeExceptionally(t);
                  }
                });

    module.handle(request("/big", requestBody), response);

    producer.get();
    assertThat(consumer.get())
        .isEqualTo(
            "hello /big\n" + new String(payload, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT));
    reader.join();
  }

  @Test
  void handlerThatSetsNoResponseIsNoResponse() throws Exception {
    GuestModule module = load(ExecutionMode.COMPILED);
    PipeResponse response = new PipeResponse(1024);

    assertThatThrownBy(() -> module.handle(request("/none", body("")), response))
        .isInstanceOfSatisfying(
            GuestException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NO_RESPONSE));
    assertThat(response.isStarted()).isFalse();
  }

  @Test
  void trapAfterTheResponseStartedCutsItsBodyShort() throws Exception {
    GuestModule module = load(ExecutionMode.COMPILED);
    PipeResponse response = new PipeResponse(1024);

    assertThatThrownBy(() -> module.handle(request("/trap", body("")), response))
        .isInstanceOfSatisfying(
            GuestException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRAP));
    assertThat(response.isStarted()).isTrue();
    assertThatThrownBy(() -> drain(response.body)).hasRootCauseInstanceOf(IOException.class);

    PipeResponse next = new PipeResponse(1024);
    module.handle(request("/after", body("ok")), next);
    assertThat(drain(next.body)).isEqualTo("hello /after\nOK");
  }

  @Test
  void exitAfterAnsweringEndsTheRequestNormally() throws Exception {
    GuestModule module = load(ExecutionMode.INTERPRETED);
    PipeResponse response = new PipeResponse(1024);

    module.handle(request("/exit", body("bye")), response);

    assertThat(drain(response.body)).isEqualTo("hello /exit\nBYE");
  }

  private static String drain(Pipe pipe) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (true) {
        pipe.awaitReadable();
        byte[] data = pipe.read(1000);
        if (data == null) {
          return out.toString(StandardCharsets.UTF_8);
        }
        out.write(data);
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
