package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the engine fetches modules from registries and URLs, and where it keeps their compiled code.
 *
 * @param cacheDir the content-addressed cache of fetched blobs ({@code module_cache_dir})
 * @param fetchTimeout how long fetching all remote modules may take at start ({@code
 *     module_fetch_timeout_secs}); modules not fetched by then are unavailable
 * @param insecureRegistries registries ({@code host} or {@code host:port}) reached over plain HTTP
 *     although they are not on loopback ({@code insecure_registries})
 * @param codeCacheDir where compiled modules are kept by digest ({@code code_cache_dir}), or null
 *     when compiled code is not cached
 */
public record ArtifactsConfig(
    Path cacheDir, Duration fetchTimeout, List<String> insecureRegistries, Path codeCacheDir) {
  public static final int DEFAULT_FETCH_TIMEOUT_SECS = 60;

  public ArtifactsConfig {
    requireNonNull(cacheDir, "cacheDir");
    requireNonNull(fetchTimeout, "fetchTimeout");
    insecureRegistries = List.copyOf(requireNonNull(insecureRegistries, "insecureRegistries"));
  }

  /** With the default {@link #defaultCodeCacheDir() code cache}. */
  public ArtifactsConfig(Path cacheDir, Duration fetchTimeout, List<String> insecureRegistries) {
    this(cacheDir, fetchTimeout, insecureRegistries, defaultCodeCacheDir());
  }

  /**
   * {@code <java.io.tmpdir>/wruntime/modules}, 60 s, no insecure registries, default code cache.
   */
  public static ArtifactsConfig defaults() {
    return new ArtifactsConfig(
        defaultCacheDir(), Duration.ofSeconds(DEFAULT_FETCH_TIMEOUT_SECS), List.of());
  }

  /**
   * {@code $XDG_CACHE_HOME/wruntime/code}, else {@code ~/.cache/wruntime/code} when the user has a
   * home directory, else {@code <java.io.tmpdir>/wruntime/code} (a container user without one).
   */
  public static Path defaultCodeCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "wruntime", "code").normalize();
    }
    String home = System.getProperty("user.home");
    if (home != null
        && !home.isBlank()
        && Path.of(home).isAbsolute()
        && java.nio.file.Files.isDirectory(Path.of(home))
        && java.nio.file.Files.isWritable(Path.of(home))) {
      return Path.of(home, ".cache", "wruntime", "code").normalize();
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "wruntime", "code")
        .toAbsolutePath()
        .normalize();
  }

  /** {@code <java.io.tmpdir>/wruntime/modules} ({@code $TMPDIR} is not read by the JVM). */
  public static Path defaultCacheDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "wruntime", "modules")
        .toAbsolutePath()
        .normalize();
  }
}
