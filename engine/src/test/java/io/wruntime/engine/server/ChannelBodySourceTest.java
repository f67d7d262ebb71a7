package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.wruntime.engine.http.Field;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChannelBodySourceTest {
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger discards = new AtomicInteger();
  private final BufferGauge gauge = new BufferGauge();
  private final ChannelBodySource source =
      new ChannelBodySource(
          ImmediateEventExecutor.INSTANCE,
          reads::incrementAndGet,
          discards::incrementAndGet,
          1000,
          gauge);
  private final List<ByteBuf> delivered = new ArrayList<>();

  private void deliver(int bytes) {
    ByteBuf buf = Unpooled.buffer(bytes).writeZero(bytes);
    delivered.add(buf);
    source.onContent(new DefaultHttpContent(buf));
  }

  @Test
  void readsFromTheSocketOnlyWhileBelowTheHighWaterMark() throws IOException {
    source.start();
    assertThat(reads).hasValue(1);

    deliver(400);
    deliver(400);
    assertThat(reads).hasValue(3);
    deliver(400); // 1200 buffered: above the mark, no further read
    assertThat(reads).hasValue(3);
    assertThat(gauge.current()).isEqualTo(1200);

    assertThat(source.read(400)).hasSize(400); // 800 left: above half the mark
    assertThat(reads).hasValue(3);
    assertThat(source.read(400)).hasSize(400); // 400 left: below half, read again
    assertThat(reads).hasValue(4);
    assertThat(gauge.current()).isEqualTo(400);
    assertThat(gauge.peak()).isEqualTo(1200);
  }

  @Test
  void endsWithTheLastContentAndItsTrailers() throws IOException {
    source.start();
    deliver(10);
    LastHttpContent last = new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {7}));
    last.trailingHeaders().add("x-checksum", "abc");
    source.onContent(last);

    assertThat(source.isEnded()).isTrue();
    assertThat(source.read(100)).hasSize(10);
    assertThat(source.read(100)).containsExactly(7);
    assertThat(source.read(100)).isNull();
    assertThat(Field.first(source.trailers(), "x-checksum")).isEqualTo("abc");
    assertThat(reads).hasValue(2); // none after the end
    assertThat(gauge.current()).isZero();
  }

  @Test
  void emptyReadWhileWaitingAndReadableOnceDataArrives() throws IOException {
    source.start();
    assertThat(source.isReadable()).isFalse();
    assertThat(source.read(10)).isEmpty();
    AtomicInteger woken = new AtomicInteger();
    source.addListener(woken::incrementAndGet);

    deliver(5);

    assertThat(source.isReadable()).isTrue();
    assertThat(woken.get()).isPositive();
  }

  @Test
  void discardReleasesEveryBufferAndStopsReading() throws IOException {
    source.start();
    deliver(100);
    deliver(100);

    source.discard();
    deliver(100); // arriving after the discard: released at once

    assertThat(delivered).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    assertThat(discards).hasValue(1);
    assertThat(gauge.current()).isZero();
    assertThat(source.read(10)).isNull();
  }

  @Test
  void failureReachesTheReaderAndReleasesBuffers() {
    source.start();
    deliver(100);

    source.fail(new IOException("the client closed the connection"));

    assertThat(delivered.get(0).refCnt()).isZero();
    assertThat(source.isReadable()).isTrue();
    assertThatThrownBy(() -> source.read(10))
        .isInstanceOf(IOException.class)
        .hasMessage("the client closed the connection");
  }

  @Test
  void aBodyThatArrivedWholeStaysReadableAfterAFailure() throws IOException {
    source.start();
    deliver(3);
    source.onContent(LastHttpContent.EMPTY_LAST_CONTENT);

    source.fail(new IOException("connection closed"));

    assertThat(source.read(10)).hasSize(3);
    assertThat(source.read(10)).isNull();
  }
}
