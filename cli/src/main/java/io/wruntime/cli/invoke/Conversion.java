package io.wruntime.cli.invoke;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.MethodDescriptor;

/**
 * How one {@code invoke} converts: the schema of {@code version} and the called method in it.
 *
 * @param schema the module version's schema
 * @param method the called method; its input type encodes the body, its output type decodes the
 *     response
 * @param version the exact module version the call is pinned to
 */
record Conversion(RpcSchema schema, MethodDescriptor method, String version) {
  Conversion {
    requireNonNull(schema, "schema");
    requireNonNull(method, "method");
    requireNonNull(version, "version");
  }
}
