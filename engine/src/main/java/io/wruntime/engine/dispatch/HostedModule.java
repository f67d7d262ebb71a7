package io.wruntime.engine.dispatch;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
import io.wruntime.engine.module.GuestModule;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A module this engine hosts: loaded and servable, or failed to load (then every request to it is
 * answered 503 with the reason), with its admission state.
 */
public final class HostedModule {
  private final String namespace;
  private final String name;
  private final String version;
  private final SemVer semVer;
  private final GuestModule module;
  private final String loadError;
  private final ModuleLimits limits;
  // Fair: waiting requests get instances in arrival order.
  private final Semaphore instances;
  private final AtomicInteger waiting = new AtomicInteger();

  private HostedModule(
      String namespace,
      String name,
      String version,
      GuestModule module,
      String loadError,
      ModuleLimits limits) {
    this.namespace = requireNonNull(namespace, "namespace");
    this.name = requireNonNull(name, "name");
    this.version = requireNonNull(version, "version");
    this.semVer = SemVer.parse(version);
    this.module = module;
    this.loadError = loadError;
    this.limits = requireNonNull(limits, "limits");
    this.instances = new Semaphore(limits.maxConcurrentInstances(), true);
  }

  /** A loaded module. */
  public static HostedModule ready(
      String namespace, String name, String version, GuestModule module, ModuleLimits limits) {
    return new HostedModule(
        namespace, name, version, requireNonNull(module, "module"), null, limits);
  }

  /** A module that failed to load, for {@code reason}. */
  public static HostedModule failed(
      String namespace, String name, String version, String reason, ModuleLimits limits) {
    return new HostedModule(
        namespace, name, version, null, requireNonNull(reason, "reason"), limits);
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public SemVer semVer() {
    return semVer;
  }

  /** {@code namespace.name@version}. */
  public String label() {
    return namespace + "." + name + "@" + version;
  }

  public boolean isReady() {
    return module != null;
  }

  /** The loaded module; null when it failed to load. */
  public GuestModule module() {
    return module;
  }

  /** Why it failed to load; null when it is ready. */
  public String loadError() {
    return loadError;
  }

  public ModuleLimits limits() {
    return limits;
  }

  /** Instances running now. */
  public int activeInstances() {
    return limits.maxConcurrentInstances() - instances.availablePermits();
  }

  /** Requests waiting for an instance now. */
  public int waitingRequests() {
    return waiting.get();
  }

  Semaphore instances() {
    return instances;
  }

  AtomicInteger waiting() {
    return waiting;
  }
}
