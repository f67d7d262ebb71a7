package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the engine fetches modules from registries and URLs.
 *
 * @param cacheDir the content-addressed cache of fetched blobs ({@code module_cache_dir})
 * @param fetchTimeout how long fetching all remote modules may take at start ({@code
 *     module_fetch_timeout_secs}); modules not fetched by then are unavailable
 * @param insecureRegistries registries ({@code host} or {@code host:port}) reached over plain HTTP
 *     although they are not on loopback ({@code insecure_registries})
 */
public record ArtifactsConfig(
    Path cacheDir, Duration fetchTimeout, List<String> insecureRegistries) {
  public static final int DEFAULT_FETCH_TIMEOUT_SECS = 60;

  public ArtifactsConfig {
    requireNonNull(cacheDir, "cacheDir");
    requireNonNull(fetchTimeout, "fetchTimeout");
    insecureRegistries = List.copyOf(requireNonNull(insecureRegistries, "insecureRegistries"));
  }

  /** {@code <java.io.tmpdir>/wruntime/modules}, 60 s, no insecure registries. */
  public static ArtifactsConfig defaults() {
    return new ArtifactsConfig(
        defaultCacheDir(), Duration.ofSeconds(DEFAULT_FETCH_TIMEOUT_SECS), List.of());
  }

  /** {@code <java.io.tmpdir>/wruntime/modules} ({@code $TMPDIR} is not read by the JVM). */
  public static Path defaultCacheDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "wruntime", "modules")
        .toAbsolutePath()
        .normalize();
  }
}
