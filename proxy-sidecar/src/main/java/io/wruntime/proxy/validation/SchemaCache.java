package io.wruntime.proxy.validation;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.wruntime.proto.v1.GetSchemaRequest;
import io.wruntime.proto.v1.GetSchemaResponse;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ModuleRef;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schemas of module versions, fetched from the manager ({@code GetSchema}) once per {@code
 * (namespace, module, version)} and kept: a module version's schema never changes. A version
 * without a schema is remembered as such; a failed fetch is not, so the next request asks again.
 */
public final class SchemaCache {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCache.class);

  private final ManagerServiceGrpc.ManagerServiceStub stub;
  private final Duration timeout;
  private final ConcurrentHashMap<ModuleRef, CompletableFuture<Optional<SchemaIndex>>> schemas =
      new ConcurrentHashMap<>();

  public SchemaCache(Channel manager, Duration timeout) {
    this.stub = ManagerServiceGrpc.newStub(requireNonNull(manager, "manager"));
    this.timeout = requireNonNull(timeout, "timeout");
  }

  /**
   * The schema of one module version: empty when it has none (or an unusable one). Completes
   * exceptionally when the manager could not answer.
   */
  public CompletableFuture<Optional<SchemaIndex>> get(
      String namespace, String module, String version) {
    ModuleRef ref =
        ModuleRef.newBuilder().setNamespace(namespace).setName(module).setVersion(version).build();
    CompletableFuture<Optional<SchemaIndex>> cached = schemas.get(ref);
    if (cached != null) {
      return cached;
    }
    CompletableFuture<Optional<SchemaIndex>> fetch = new CompletableFuture<>();
    CompletableFuture<Optional<SchemaIndex>> raced = schemas.putIfAbsent(ref, fetch);
    if (raced != null) {
      return raced;
    }
    String name = namespace + "." + module + "@" + version;
    stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .getSchema(
            GetSchemaRequest.newBuilder().setModule(ref).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(GetSchemaResponse response) {
                try {
                  fetch.complete(
                      Optional.of(
                          SchemaIndex.parse(response.getFileDescriptorSet().toByteArray())));
                } catch (IllegalArgumentException e) {
                  LOG.warn(
                      "schema of {} is unusable, its requests are not validated: {}",
                      name,
                      e.getMessage());
                  fetch.complete(Optional.empty());
                }
              }

              @Override
              public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                if (status.getCode() == Status.Code.NOT_FOUND) {
                  fetch.complete(Optional.empty());
                  return;
                }
                schemas.remove(ref, fetch);
                fetch.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                fetch.complete(Optional.empty());
              }
            });
    return fetch;
  }
}
