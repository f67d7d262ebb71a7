package io.wruntime.engine.host.abi;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.module.ModuleDefinition;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AbsentResourceTest {
  private static final AbsentResource DESCRIPTOR =
      new AbsentResource("wasi:filesystem/types", "descriptor");

  private final InstanceContext ctx =
      new InstanceContext(
          new ModuleDefinition(
              "test",
              "absent",
              "1.0.0",
              Path.of("absent.wasm"),
              Map.of(),
              1 << 20,
              ModuleDefinition.ExecutionMode.INTERPRETED),
          request ->
              CompletableFuture.failedFuture(
                  new OutboundException(HttpErrorCode.CONNECTION_REFUSED, "none")),
          LoggerFactory.getLogger("guest.absent"));

  @Test
  void methodsAndDropHaveTheirCanonicalNames() {
    HostFunctionDef read = DESCRIPTOR.method("read", List.of(I32, I64, I64, I32), List.of());

    assertThat(read.iface()).isEqualTo("wasi:filesystem/types");
    assertThat(read.name()).isEqualTo("[method]descriptor.read");
    assertThat(read.params()).containsExactly(I32, I64, I64, I32);
    assertThat(DESCRIPTOR.drop().name()).isEqualTo("[resource-drop]descriptor");
  }

  @Test
  void everyHandleIsRefusedAsNotBeingOne() {
    HostFunctionDef stat = DESCRIPTOR.method("stat", List.of(I32, I32), List.of());

    Map<Long, String> shown = Map.of(0L, "0", 1L, "1", 42L, "42", -1L, "4294967295");
    shown.forEach(
        (handle, text) ->
            assertThatThrownBy(() -> stat.impl().call(ctx, new long[] {handle, 8}))
                .isInstanceOf(AbiViolation.class)
                .hasMessage(
                    "handle " + text + " is not a live wasi:filesystem/types.descriptor handle"));
  }

  @Test
  void aLiveHandleOfAnotherTypeIsRefusedNamingWhatItIs() {
    int handle =
        ctx.resources()
            .add(
                new WitResource() {
                  @Override
                  public String witName() {
                    return "wasi:io/error.error";
                  }
                });

    assertThatThrownBy(() -> DESCRIPTOR.drop().impl().call(ctx, new long[] {handle}))
        .isInstanceOf(AbiViolation.class)
        .hasMessage(
            "handle "
                + handle
                + " is not a wasi:filesystem/types.descriptor (it is a wasi:io/error.error)");
    assertThat(ctx.resources().all()).hasSize(1);
  }

  @Test
  void aMethodWithoutSelfFirstIsAProgrammingError() {
    assertThatThrownBy(() -> DESCRIPTOR.method("stat", List.of(I64), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: the i32 handle of self first");
  }
}
