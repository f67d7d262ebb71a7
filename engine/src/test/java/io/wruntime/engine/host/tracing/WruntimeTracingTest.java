package io.wruntime.engine.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.wruntime.common.testing.RecordingSpanExporter;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The guest ABI of {@code wruntime:tracing} as a security boundary: whatever pointers, lengths and
 * handles a guest passes, the host refuses them with an {@link AbiViolation} naming the argument
 * before touching memory outside the guest's (one 64 KiB page here).
 */
class WruntimeTracingTest {
  private static final Path MINIMAL = Path.of("target", "test-guests", "minimal.wasm");

  private final Map<String, HostFunctionDef> functions =
      WruntimeTracing.functions(OpenTelemetry.noop().getTracer("test")).stream()
          .collect(java.util.stream.Collectors.toMap(HostFunctionDef::name, f -> f));
  private InstanceContext ctx;

  @BeforeEach
  void instance() {
    ModuleDefinition module =
        new ModuleDefinition(
            "test",
            "abi",
            "1.0.0",
            MINIMAL,
            Map.of(),
            1 << 20,
            ModuleDefinition.ExecutionMode.INTERPRETED,
            Duration.ofSeconds(1),
            new HostGrants(Set.of(HostGrants.Capability.TRACING), 4));
    ctx =
        new InstanceContext(
            module,
            request -> CompletableFuture.failedFuture(new AssertionError("no calls")),
            LoggerFactory.getLogger("guest.test"));
    Instance instance = Instance.builder(Parser.parse(MINIMAL)).withInitialize(false).build();
    ctx.bindMemory(new GuestMemory(instance));
    ctx.memory().writeBytes("name", 100, "ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private long[] call(String name, long... args) {
    return functions.get(name).impl().call(ctx, args);
  }

  private int startedSpan() {
    call("start", 100, 2, 200);
    assertThat(ctx.memory().readU8("result", 200)).isZero();
    return ctx.memory().readI32("handle", 204);
  }

  @Test
  void everyFunctionOfTheWitIsLowered() {
    assertThat(functions.keySet())
        .containsExactlyInAnyOrder(
            "start",
            "start-root",
            "[method]span.set-attribute",
            "[method]span.record-event",
            "[method]span.set-error",
            "[resource-drop]span");
  }

  @Test
  void aNameOutsideMemoryIsRefused() {
    assertThatThrownBy(() -> call("start", 65_530, 10, 200))
        .isInstanceOf(AbiViolation.class)
        .hasMessage(
            "name: range [65530, 65540) is outside guest memory of 65536 bytes (expected: a"
                + " pointer and length within memory)");
    assertThatThrownBy(() -> call("start", 0xFFFF_FFF0L, 0x20, 200))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("name: range [4294967280, 4294967312) is outside guest memory");
  }

  @Test
  void aMisalignedOrOutOfRangeReturnAreaIsRefused() {
    assertThatThrownBy(() -> call("start", 100, 2, 202))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("return area: pointer 202 is not aligned to 4 bytes");
    assertThatThrownBy(() -> call("start-root", 100, 2, 65_528))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("return area: range [65528, 65544) is outside guest memory");
  }

  @Test
  void aHandleThatIsNoLiveSpanIsRefused() {
    assertThatThrownBy(() -> call("[method]span.set-error", 7, 100, 2))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle 7 is not a live wruntime:tracing/span.span handle");
    int span = startedSpan();
    call("[resource-drop]span", span);
    assertThatThrownBy(() -> call("[resource-drop]span", span))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle " + span + " is not a live wruntime:tracing/span.span handle");
  }

  @Test
  void anEventsAttributeListIsCheckedWholeBeforeAnyRead() {
    int span = startedSpan();
    // 2^31 - 1 attributes of 24 bytes: far beyond memory, refused without reading or allocating.
    assertThatThrownBy(() -> call("[method]span.record-event", span, 100, 2, 1024, 0x7FFF_FFFF))
        .isInstanceOf(AbiViolation.class)
        .hasMessage(
            "attributes: 2147483647 attributes of 24 bytes do not fit in guest memory of 65536"
                + " bytes (expected: a list within memory)");
    // 0x0AAAAAAB * 24 is 2^32 + 8: as a u32 length it would look like 8 bytes.
    assertThatThrownBy(() -> call("[method]span.record-event", span, 100, 2, 1024, 0x0AAA_AAAB))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("attributes: 178956971 attributes of 24 bytes do not fit");
    assertThatThrownBy(() -> call("[method]span.record-event", span, 100, 2, 65_528, 1))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("attributes: range [65528, 65552) is outside guest memory");
    assertThatThrownBy(() -> call("[method]span.record-event", span, 100, 2, 1028, 1))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("attributes: pointer 1028 is not aligned to 8 bytes");
  }

  @Test
  void aTextAttributeWhosePointerIsNotA32BitValueIsRefused() {
    int span = startedSpan();
    assertThatThrownBy(() -> call("[method]span.set-attribute", span, 100, 2, 0, 1L << 32 | 100, 2))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("attribute text: pointer 4294967396 is not a 32-bit value");
  }

  @Test
  void invalidUtf8IsRefused() {
    ctx.memory().writeBytes("name", 300, new byte[] {(byte) 0xC3, (byte) 0x28});
    assertThatThrownBy(() -> call("start", 300, 2, 200))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("name: string is not valid UTF-8");
  }

  @Test
  void theCapCountsSpansStartedNotSpansOpen() {
    for (int i = 0; i < 4; i++) {
      call("[resource-drop]span", startedSpan());
    }
    // The fifth start writes an error, which needs the guest's cabi_realloc: minimal has none.
    assertThatThrownBy(() -> call("start", 100, 2, 200))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("module does not export cabi_realloc");
    assertThat(ctx.memory().readU8("result", 200)).isEqualTo(1);
    assertThat(ctx.memory().readU8("error", 204)).isZero();
    // Every span was dropped: outgoing calls carry the request's context again (none here).
    assertThat(ctx.traceparent()).isNull();
  }

  @Test
  void longEventTextsAreCutAndOnlyTheirPrefixIsRead() {
    RecordingSpanExporter exporter = new RecordingSpanExporter();
    SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    Map<String, HostFunctionDef> recorded =
        WruntimeTracing.functions(provider.get("test")).stream()
            .collect(java.util.stream.Collectors.toMap(HostFunctionDef::name, f -> f));
    GuestMemory m = ctx.memory();
    // "x" then 'é' (2 bytes) up to 20,000 bytes, then bytes that are not UTF-8: only the first
    // 16 KiB may be read, cut back to a whole character, then cut to 4096 characters.
    byte[] text = new byte[20_001];
    text[0] = 'x';
    for (int i = 1; i + 1 < 20_000; i += 2) {
      text[i] = (byte) 0xC3;
      text[i + 1] = (byte) 0xA9;
    }
    text[19_999] = (byte) 0xFF;
    text[20_000] = (byte) 0xFF;
    m.writeBytes("text", 30_000, text);
    m.writeBytes("key", 110, "k".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    // One attribute (24 bytes at 1024): key (110, 1), case 0 text (30000, 20001).
    m.writeI32("key", 1024, 110);
    m.writeI32("key", 1028, 1);
    m.writeBytes("case", 1032, new byte[] {0});
    m.writeI32("text", 1040, 30_000);
    m.writeI32("text", 1044, text.length);
    recorded.get("start").impl().call(ctx, new long[] {100, 2, 200});
    long span = m.readI32("handle", 204);
    recorded.get("[method]span.record-event").impl().call(ctx, new long[] {span, 100, 2, 1024, 1});
    recorded.get("[method]span.set-error").impl().call(ctx, new long[] {span, 30_000, text.length});
    recorded.get("[resource-drop]span").impl().call(ctx, new long[] {span});
    SpanData data = exporter.named("ok").getFirst();
    String expected = "x" + "\u00e9".repeat(WruntimeTracing.MAX_TEXT_CHARS - 1);
    assertThat(data.getEvents().getFirst().getAttributes().get(AttributeKey.stringKey("k")))
        .isEqualTo(expected);
    assertThat(data.getStatus().getDescription()).isEqualTo(expected);
  }
}
