package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.Names;
import java.util.Locale;

/**
 * The PostgreSQL names of one module: its namespace's role {@code wr__{ns}} and its schema {@code
 * wr__{ns}__{name}}.
 *
 * <p>Namespaces and module names are {@link Names} ({@code [a-z0-9-]}, 1-24 characters, no edge
 * {@code -}); each {@code -} becomes {@code _}, so the identifiers need no quoting in hand-written
 * SQL (they are still quoted in every statement the engine builds). The mapping is one-to-one on
 * roles; on schemas it is one-to-one as long as the namespace has no {@code --}: {@code x--y} +
 * {@code z} and {@code x} + {@code y--z} would both be {@code wr__x__y__z}, so such a namespace is
 * refused. Module names may contain {@code --}: the namespace part then ends at the first {@code
 * __}.
 *
 * @param namespace the module's namespace
 * @param name the module's name
 */
public record ModuleDbNames(String namespace, String name) {
  /** The prefix of every role and schema the engine creates. */
  public static final String PREFIX = "wr__";

  /**
   * Checks both names.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  public ModuleDbNames {
    String problem = Names.problem(namespace);
    if (problem != null) {
      throw new IllegalArgumentException("namespace " + problem);
    }
    if (namespace.contains("--")) {
      throw new IllegalArgumentException(
          "namespace \""
              + namespace
              + "\" contains \"--\" (expected: no \"--\" in the namespace of a module granted"
              + " wruntime:db: its schema wr__{ns}__{name} would not be unique)");
    }
    problem = Names.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("module name " + problem);
    }
  }

  /** The names of module {@code name} of {@code namespace}. */
  public static ModuleDbNames of(String namespace, String name) {
    return new ModuleDbNames(namespace, name);
  }

  /** The namespace's login role, {@code wr__{ns}}. */
  public String role() {
    return PREFIX + identifierPart(namespace);
  }

  /** The module's schema, {@code wr__{ns}__{name}}. */
  public String schema() {
    return role() + "__" + identifierPart(name);
  }

  /** {@code identifier} quoted for SQL: {@code "x"}, with inner quotes doubled. */
  public static String quote(String identifier) {
    requireNonNull(identifier, "identifier");
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains NUL (expected: none)");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static String identifierPart(String validName) {
    return validName.replace('-', '_').toLowerCase(Locale.ROOT);
  }
}
