package io.wruntime.engine.module;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.db.ModulePool;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The host capabilities a module may import, and the per-request caps that come with them.
 *
 * @param granted the capabilities granted
 * @param maxSpans how many spans one request may start through {@code wruntime:tracing}
 * @param llm the provider of {@code wruntime:llm} ({@code [module.capabilities.llm]}), or null
 * @param maxLlmStreams how many {@code wruntime:llm} streams one request may have open
 * @param blobstore the store of {@code wruntime:blobstore} ({@code
 *     [module.capabilities.blobstore]}), or null
 * @param maxBlobObjects how many {@code wruntime:blobstore} objects one request may have open
 * @param db the pool of {@code wruntime:db} ({@code [module.capabilities.db]}), or null until the
 *     engine opened it
 * @param maxTransactions how many {@code wruntime:db} transactions one request may have open
 * @param maxCursors how many {@code wruntime:db} cursors one request may have open
 */
public record HostGrants(
    Set<Capability> granted,
    int maxSpans,
    ModuleCapabilities.Llm llm,
    int maxLlmStreams,
    ModuleCapabilities.Blobstore blobstore,
    int maxBlobObjects,
    ModulePool db,
    int maxTransactions,
    int maxCursors) {
  /** The default blob object cap ({@code [limits] blob_objects}). */
  public static final int DEFAULT_MAX_BLOB_OBJECTS = 64;

  /** The default transaction cap ({@code [limits] transactions}). */
  public static final int DEFAULT_MAX_TRANSACTIONS = 64;

  /** The default cursor cap ({@code [limits] cursors}). */
  public static final int DEFAULT_MAX_CURSORS = 256;

  /** The default LLM stream cap ({@code [limits] llm_streams}). */
  public static final int DEFAULT_MAX_LLM_STREAMS = 32;

  /** The default span cap ({@code [limits] spans}). */
  public static final int DEFAULT_MAX_SPANS = 1024;

  /** Nothing granted. */
  public static final HostGrants NONE = new HostGrants(Set.of(), DEFAULT_MAX_SPANS);

  /** Grants without an LLM provider. */
  public HostGrants(Set<Capability> granted, int maxSpans) {
    this(granted, maxSpans, null, DEFAULT_MAX_LLM_STREAMS);
  }

  /** Grants without a blob store. */
  public HostGrants(
      Set<Capability> granted, int maxSpans, ModuleCapabilities.Llm llm, int maxLlmStreams) {
    this(granted, maxSpans, llm, maxLlmStreams, null, DEFAULT_MAX_BLOB_OBJECTS);
  }

  /** Grants without a database pool (the engine adds it with {@link #withDb}). */
  public HostGrants(
      Set<Capability> granted,
      int maxSpans,
      ModuleCapabilities.Llm llm,
      int maxLlmStreams,
      ModuleCapabilities.Blobstore blobstore,
      int maxBlobObjects) {
    this(
        granted,
        maxSpans,
        llm,
        maxLlmStreams,
        blobstore,
        maxBlobObjects,
        null,
        DEFAULT_MAX_TRANSACTIONS,
        DEFAULT_MAX_CURSORS);
  }

  /** Grants with the default LLM stream cap. */
  public HostGrants(Set<Capability> granted, int maxSpans, ModuleCapabilities.Llm llm) {
    this(granted, maxSpans, llm, DEFAULT_MAX_LLM_STREAMS);
  }

  /** The same grants with the database pool {@code pool} and its per-request caps. */
  public HostGrants withDb(ModulePool pool, int transactions, int cursors) {
    return new HostGrants(
        granted,
        maxSpans,
        llm,
        maxLlmStreams,
        blobstore,
        maxBlobObjects,
        pool,
        transactions,
        cursors);
  }

  public HostGrants {
    granted = granted.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(granted));
    if (maxSpans < 1) {
      throw new IllegalArgumentException("maxSpans: " + maxSpans + " (expected: >= 1)");
    }
    if (maxLlmStreams < 1) {
      throw new IllegalArgumentException("maxLlmStreams: " + maxLlmStreams + " (expected: >= 1)");
    }
    if (maxBlobObjects < 1) {
      throw new IllegalArgumentException("maxBlobObjects: " + maxBlobObjects + " (expected: >= 1)");
    }
    if (maxTransactions < 1) {
      throw new IllegalArgumentException(
          "maxTransactions: " + maxTransactions + " (expected: >= 1)");
    }
    if (maxCursors < 1) {
      throw new IllegalArgumentException("maxCursors: " + maxCursors + " (expected: >= 1)");
    }
  }

  public boolean has(Capability capability) {
    return granted.contains(requireNonNull(capability, "capability"));
  }

  /** A capability: the interfaces it covers, the config key that grants it, and if it exists. */
  public enum Capability {
    DB("wruntime:db/", true, true),
    BLOBSTORE("wruntime:blobstore/", true, true),
    LLM("wruntime:llm/", true, true),
    /**
     * A per-request directory, not implemented yet. Its interfaces link for every module, granted
     * or not, with no preopened directory: toolchains import them whether or not a program uses
     * files.
     */
    FS("wasi:filesystem/", false, false),
    TRACING("wruntime:tracing/", true, true);

    private final String importPrefix;
    private final boolean implemented;
    private final boolean importNeedsGrant;

    Capability(String importPrefix, boolean implemented, boolean importNeedsGrant) {
      this.importPrefix = importPrefix;
      this.implemented = implemented;
      this.importNeedsGrant = importNeedsGrant;
    }

    /** Its name in {@code engine.toml}: {@code db}, {@code blobstore}, {@code tracing}, ... */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The table that grants it: {@code [module.capabilities.db]}. */
    public String configKey() {
      return "[module.capabilities." + configName() + "]";
    }

    /** The package its interfaces belong to, e.g. {@code wruntime:db}. */
    public String packageName() {
      return importPrefix.substring(0, importPrefix.length() - 1);
    }

    /**
     * Whether this engine gives what the grant promises (false: the grant is read and validated,
     * and the engine warns at start that it gives nothing yet).
     */
    public boolean implemented() {
      return implemented;
    }

    /**
     * The capability an import module name (e.g. {@code wruntime:db/database@0.1.0}) needs, or null
     * when every module may import it.
     */
    public static Capability ofImport(String importModule) {
      for (Capability c : values()) {
        if (c.importNeedsGrant && importModule.startsWith(c.importPrefix)) {
          return c;
        }
      }
      return null;
    }
  }
}
