package io.wruntime.engine.host.llm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The guest ABI of {@code wruntime:llm} as a security boundary: whatever pointers, lengths, cases
 * and handles a guest passes to {@code complete}, {@code complete-stream} and {@code next}, the
 * host refuses them with an {@link AbiViolation} naming the argument, before reading outside the
 * guest's memory (one 64 KiB page here) and before calling the provider (none listens at the
 * grant's address: a call would fail differently).
 */
class WruntimeLlmTest {
  private static final Path MINIMAL = Path.of("target", "test-guests", "minimal.wasm");
  private static final int RET = 200;
  private static final String OUTSIDE =
      " is outside guest memory of 65536 bytes (expected: a pointer and length within memory)";

  private final Map<String, HostFunctionDef> functions =
      WruntimeLlm.functions().stream().collect(Collectors.toMap(HostFunctionDef::name, f -> f));
  private InstanceContext ctx;

  @BeforeEach
  void instance() {
    ModuleCapabilities.Llm grant =
        new ModuleCapabilities.Llm(
            ModuleCapabilities.Llm.Provider.ANTHROPIC,
            URI.create("http://127.0.0.1:9"),
            Path.of("/nonexistent/api-key"),
            1000,
            "test-model");
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
            new HostGrants(Set.of(HostGrants.Capability.LLM), 4, grant));
    ctx =
        new InstanceContext(
            module,
            request -> CompletableFuture.failedFuture(new AssertionError("no calls")),
            LoggerFactory.getLogger("guest.test"));
    Instance instance = Instance.builder(Parser.parse(MINIMAL)).withInitialize(false).build();
    ctx.bindMemory(new GuestMemory(instance));
    ctx.memory().writeBytes("text", 100, "hi".getBytes(StandardCharsets.UTF_8));
  }

  private void call(String name, long... args) {
    functions.get(name).impl().call(ctx, args);
  }

  /** The 14 flat arguments of complete / complete-stream: a request with one message. */
  private static long[] request(long modelPtr, long modelLen, long messages, long count) {
    return new long[] {1, modelPtr, modelLen, 0, 0, 0, messages, count, 100, 0, 0, 0, 0, RET};
  }

  private GuestMemory m() {
    return ctx.memory();
  }

  /** One user message at 1024 whose content list (at 2048) holds {@code count} elements. */
  private long oneMessage(long count) {
    m().writeU8("role", 1024, 0);
    m().writeI32("content", 1028, 2048);
    m().writeI32("content", 1032, (int) count);
    return 1024;
  }

  private void text(long at, long ptr, long len) {
    m().writeU8("case", at, 0);
    m().writeI32("ptr", at + 4, (int) ptr);
    m().writeI32("len", at + 8, (int) len);
  }

  @Test
  void aModelStringOutsideMemoryIsRefused() {
    for (String f : new String[] {"complete", "complete-stream"}) {
      assertThatThrownBy(() -> call(f, request(65_530, 10, 0, 0)))
          .isInstanceOf(AbiViolation.class)
          .hasMessage("model: range [65530, 65540)" + OUTSIDE);
      // A pointer near 2^32 must not wrap around to the start of memory.
      assertThatThrownBy(() -> call(f, request(0xFFFF_FF00L, 0x200, 0, 0)))
          .isInstanceOf(AbiViolation.class)
          .hasMessage("model: range [4294967040, 4294967552)" + OUTSIDE);
    }
  }

  @Test
  void aMessageListLongerThanMemoryIsRefusedBeforeAnyRead() {
    assertThatThrownBy(() -> call("complete", request(100, 2, 1024, 0x7FFF_FFFF)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage(
            "messages: 2147483647 elements of 12 bytes do not fit in guest memory of 65536 bytes"
                + " (expected: a list within memory)");
    assertThatThrownBy(() -> call("complete-stream", request(100, 2, 65_528, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("messages: range [65528, 65540)" + OUTSIDE);
    assertThatThrownBy(() -> call("complete", request(100, 2, 1026, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("messages: pointer 1026 is not aligned to 4 bytes");
  }

  @Test
  void aContentTextOutsideMemoryIsRefused() {
    long messages = oneMessage(1);
    text(2048, 65_000, 1000);

    assertThatThrownBy(() -> call("complete", request(100, 2, messages, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("text: range [65000, 66000)" + OUTSIDE);
    assertThatThrownBy(() -> call("complete-stream", request(100, 2, messages, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("text: range [65000, 66000)" + OUTSIDE);
  }

  @Test
  void casesTheWitDoesNotHaveAreRefused() {
    long messages = oneMessage(1);
    text(2048, 100, 2);
    long[] badOption = request(100, 2, messages, 1);
    badOption[0] = 2;
    assertThatThrownBy(() -> call("complete", badOption))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("model: option case 2 (expected: 0 or 1)");

    m().writeU8("role", 1024, 2);
    assertThatThrownBy(() -> call("complete", request(100, 2, messages, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("role: case 2 (expected: 0 user, 1 assistant)");

    m().writeU8("role", 1024, 0);
    m().writeU8("case", 2048, 3);
    assertThatThrownBy(() -> call("complete-stream", request(100, 2, messages, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("content: case 3 (expected: 0 text, 1 tool-use, 2 tool-result)");
  }

  @Test
  void aToolListOutsideMemoryIsRefused() {
    long[] args = request(100, 2, 0, 0);
    args[11] = 65_520;
    args[12] = 1;
    assertThatThrownBy(() -> call("complete", args))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("tools: range [65520, 65544)" + OUTSIDE);
  }

  @Test
  void aMisalignedOrOutOfRangeReturnAreaIsRefused() {
    long[] misaligned = request(100, 2, 0, 0);
    misaligned[13] = 202;
    assertThatThrownBy(() -> call("complete", misaligned))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("return area: pointer 202 is not aligned to 4 bytes");
    long[] outside = request(100, 2, 0, 0);
    outside[13] = 65_528;
    assertThatThrownBy(() -> call("complete-stream", outside))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("return area: range [65528, 65544)" + OUTSIDE);
    assertThatThrownBy(() -> call("complete", outside))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("return area: range [65528, 65552)" + OUTSIDE);
  }

  @Test
  void aHandleThatIsNoLiveStreamIsRefused() {
    assertThatThrownBy(() -> call("[method]completion-stream.next", 7, RET))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle 7 is not a live wruntime:llm/inference.completion-stream handle");
    assertThatThrownBy(() -> call("[resource-drop]completion-stream", 7))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle 7 is not a live wruntime:llm/inference.completion-stream handle");
  }

  @Test
  void partsReadOverAndOverBeyondTheSizeOfMemoryAreRefused() {
    // 2000 content elements (56000 bytes) all pointing at the same 4000 bytes: 8 MB to copy
    // from a 64 KiB memory. Aliasing a few small strings is fine; this is not.
    long messages = oneMessage(2000);
    for (int i = 0; i < 2000; i++) {
      text(2048 + 28L * i, 60_000, 4000);
    }

    assertThatThrownBy(() -> call("complete", request(100, 2, messages, 1)))
        .isInstanceOf(AbiViolation.class)
        .hasMessage(
            "text: the request's strings and lists add up to more than the guest memory of 65536"
                + " bytes (expected: a request whose parts fit in memory; parts may not be read"
                + " over and over)");
  }
}
