package io.wruntime.cli.invoke;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
import io.wruntime.common.names.VersionRequirement;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import java.util.Comparator;
import java.util.Optional;

/**
 * Chooses whose schema converts an {@code invoke} body: among the service's versions that have a
 * schema with the called method and satisfy the requirement, the highest with a healthy instance,
 * else the highest. The call is then pinned to that version so that the module that receives the
 * body is the one whose schema encoded it.
 */
final class SchemaVersions {
  private SchemaVersions() {}

  /**
   * @param requirement the caller's {@code --version}, else the service rule's default version,
   *     else null for any version
   * @param rpcPath the called method, {@code /pkg.Service/Method}
   */
  static Optional<String> choose(
      ServiceInfo service, VersionRequirement requirement, String rpcPath) {
    requireNonNull(service, "service");
    requireNonNull(rpcPath, "rpcPath");
    Comparator<ServiceVersion> order =
        Comparator.<ServiceVersion, Boolean>comparing(v -> v.getHealthyInstances() > 0)
            .thenComparing(v -> SemVer.parse(v.getVersion()));
    return service.getVersionsList().stream()
        .filter(ServiceVersion::getHasSchema)
        .filter(v -> v.getMethodsList().contains(rpcPath))
        .filter(v -> isSemVer(v.getVersion()))
        .filter(v -> requirement == null || requirement.matches(SemVer.parse(v.getVersion())))
        .max(order)
        .map(ServiceVersion::getVersion);
  }

  private static boolean isSemVer(String version) {
    try {
      SemVer.parse(version);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
