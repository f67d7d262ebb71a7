package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What a registration grants.
 *
 * @param grants one per registered module, in the order of the registration
 * @param version the routing-table version after the registration
 */
public record RegistrationResult(List<Grant> grants, long version) {
  public RegistrationResult {
    grants = List.copyOf(grants);
  }

  /**
   * The secrets one module gets.
   *
   * @param module the module version
   * @param secrets resolved values by key, one per requested secret
   */
  public record Grant(ModuleKey module, Map<String, String> secrets) {
    public Grant {
      requireNonNull(module, "module");
      secrets = Map.copyOf(secrets);
    }
  }
}
