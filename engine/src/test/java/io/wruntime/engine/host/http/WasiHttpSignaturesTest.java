package io.wruntime.engine.host.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.HostInterfaces;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The import names and flat signatures of wasi:http 0.2, as wit-bindgen emits them for a core
 * module (params -> results; i = i32, I = i64), written out independently of the implementation.
 */
class WasiHttpSignaturesTest {
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("[constructor]fields", "->i"),
          Map.entry("[static]fields.from-list", "iii->"),
          Map.entry("[method]fields.get", "iiii->"),
          Map.entry("[method]fields.has", "iii->i"),
          Map.entry("[method]fields.set", "iiiiii->"),
          Map.entry("[method]fields.delete", "iiii->"),
          Map.entry("[method]fields.append", "iiiiii->"),
          Map.entry("[method]fields.entries", "ii->"),
          Map.entry("[method]fields.clone", "i->i"),
          Map.entry("[resource-drop]fields", "i->"),
          Map.entry("[method]incoming-request.method", "ii->"),
          Map.entry("[method]incoming-request.path-with-query", "ii->"),
          Map.entry("[method]incoming-request.scheme", "ii->"),
          Map.entry("[method]incoming-request.authority", "ii->"),
          Map.entry("[method]incoming-request.headers", "i->i"),
          Map.entry("[method]incoming-request.consume", "ii->"),
          Map.entry("[resource-drop]incoming-request", "i->"),
          Map.entry("[constructor]outgoing-request", "i->i"),
          Map.entry("[method]outgoing-request.body", "ii->"),
          Map.entry("[method]outgoing-request.method", "ii->"),
          Map.entry("[method]outgoing-request.set-method", "iiii->i"),
          Map.entry("[method]outgoing-request.path-with-query", "ii->"),
          Map.entry("[method]outgoing-request.set-path-with-query", "iiii->i"),
          Map.entry("[method]outgoing-request.scheme", "ii->"),
          Map.entry("[method]outgoing-request.set-scheme", "iiiii->i"),
          Map.entry("[method]outgoing-request.authority", "ii->"),
          Map.entry("[method]outgoing-request.set-authority", "iiii->i"),
          Map.entry("[method]outgoing-request.headers", "i->i"),
          Map.entry("[resource-drop]outgoing-request", "i->"),
          Map.entry("[constructor]request-options", "->i"),
          Map.entry("[method]request-options.connect-timeout", "ii->"),
          Map.entry("[method]request-options.set-connect-timeout", "iiI->i"),
          Map.entry("[method]request-options.first-byte-timeout", "ii->"),
          Map.entry("[method]request-options.set-first-byte-timeout", "iiI->i"),
          Map.entry("[method]request-options.between-bytes-timeout", "ii->"),
          Map.entry("[method]request-options.set-between-bytes-timeout", "iiI->i"),
          Map.entry("[resource-drop]request-options", "i->"),
          Map.entry("[static]response-outparam.set", "iiiiIiiii->"),
          Map.entry("[resource-drop]response-outparam", "i->"),
          Map.entry("[method]incoming-response.status", "i->i"),
          Map.entry("[method]incoming-response.headers", "i->i"),
          Map.entry("[method]incoming-response.consume", "ii->"),
          Map.entry("[resource-drop]incoming-response", "i->"),
          Map.entry("[method]incoming-body.stream", "ii->"),
          Map.entry("[static]incoming-body.finish", "i->i"),
          Map.entry("[resource-drop]incoming-body", "i->"),
          Map.entry("[method]future-trailers.subscribe", "i->i"),
          Map.entry("[method]future-trailers.get", "ii->"),
          Map.entry("[resource-drop]future-trailers", "i->"),
          Map.entry("[constructor]outgoing-response", "i->i"),
          Map.entry("[method]outgoing-response.status-code", "i->i"),
          Map.entry("[method]outgoing-response.set-status-code", "ii->i"),
          Map.entry("[method]outgoing-response.headers", "i->i"),
          Map.entry("[method]outgoing-response.body", "ii->"),
          Map.entry("[resource-drop]outgoing-response", "i->"),
          Map.entry("[method]outgoing-body.write", "ii->"),
          Map.entry("[static]outgoing-body.finish", "iiii->"),
          Map.entry("[resource-drop]outgoing-body", "i->"),
          Map.entry("[method]future-incoming-response.subscribe", "i->i"),
          Map.entry("[method]future-incoming-response.get", "ii->"),
          Map.entry("[resource-drop]future-incoming-response", "i->"),
          Map.entry("http-error-code", "ii->"));

  @Test
  void everyFunctionOfBothInterfacesHasItsCanonicalAbiSignature() {
    Map<String, String> expected = new TreeMap<>();
    TYPES.forEach((name, sig) -> expected.put("wasi:http/types#" + name, sig));
    expected.put("wasi:http/outgoing-handler#handle", "iiii->");

    Map<String, String> actual =
        WasiHttp.functions().stream()
            .collect(
                Collectors.toMap(
                    d -> d.iface() + "#" + d.name(),
                    d -> flat(d.params()) + "->" + flat(d.results()),
                    (a, b) -> a + " DUPLICATE " + b,
                    TreeMap::new));

    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void everyPatchVersionOfTheInterfacesResolvesToTheSameFunctions() {
    HostInterfaces registry = new HostInterfaces();
    registry.addAll(WasiHttp.functions());

    for (String version : List.of("0.2.0", "0.2.3", "0.2.8")) {
      assertThat(registry.find("wasi:http/types@" + version, "[static]response-outparam.set"))
          .map(HostFunctionDef::name)
          .contains("[static]response-outparam.set");
      assertThat(registry.find("wasi:http/outgoing-handler@" + version, "handle")).isPresent();
    }
  }

  private static String flat(List<ValType> types) {
    return types.stream()
        .map(t -> t.equals(ValType.I64) ? "I" : t.equals(ValType.I32) ? "i" : "?")
        .collect(Collectors.joining());
  }
}
