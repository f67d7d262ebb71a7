package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One module an engine declares at registration.
 *
 * @param key the module version
 * @param schema its schema, or null when it registered none
 * @param requestedSecrets keys of the secrets of the module's namespace it needs
 */
public record ModuleDeclaration(ModuleKey key, Schema schema, List<String> requestedSecrets) {
  public ModuleDeclaration {
    requireNonNull(key, "key");
    requestedSecrets = List.copyOf(requestedSecrets);
  }
}
