package io.wruntime.engine.artifact;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.oci.BlobCache;
import io.wruntime.common.oci.OciException;
import io.wruntime.common.oci.PulledModule;
import io.wruntime.common.oci.RegistryClient;
import io.wruntime.common.oci.RegistryCredentials;
import io.wruntime.engine.config.ArtifactsConfig;
import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.config.WasmSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the binaries of {@code wasm_image} and {@code wasm_url} modules into the engine's
 * content-addressed cache before they load, every digest verified. All modules are fetched at once,
 * each on its own virtual thread, under one deadline ({@code module_fetch_timeout_secs}): a slow or
 * unreachable registry delays the engine's start by at most that, and fails only its own modules. A
 * pinned image or a URL whose digest is cached is served from the cache without a request.
 */
public final class ModuleFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(ModuleFetcher.class);

  /** The most bytes a module fetched from a URL may have. */
  static final long MAX_URL_BYTES = RegistryClient.DEFAULT_MAX_BLOB_BYTES;

  /** What fetching one module gave: its files, or why there are none. */
  public sealed interface Outcome {}

  /**
   * The module's files, verified.
   *
   * @param wasmFile the module binary
   * @param schemaFile the schema layer of its image, or null
   */
  public record Fetched(Path wasmFile, Path schemaFile) implements Outcome {
    public Fetched {
      requireNonNull(wasmFile, "wasmFile");
    }
  }

  /**
   * @param reason what went wrong, naming the source (reference or URL) and, for a mismatch, the
   *     expected and the actual digest
   */
  public record Failed(String reason) implements Outcome {
    public Failed {
      requireNonNull(reason, "reason");
    }
  }

  private final ArtifactsConfig config;
  private final BlobCache cache;

  public ModuleFetcher(ArtifactsConfig config) {
    this.config = requireNonNull(config, "config");
    this.cache = new BlobCache(config.cacheDir());
  }

  /**
   * Fetches every module of {@code modules} whose binary is remote; a {@code wasm_path} module is
   * {@link Fetched} as is. Returns within the fetch timeout (plus the moment cancelled fetches take
   * to notice).
   */
  public Map<ModuleConfig, Outcome> fetchAll(List<ModuleConfig> modules) {
    requireNonNull(modules, "modules");
    Map<ModuleConfig, Outcome> outcomes = new LinkedHashMap<>();
    Map<ModuleConfig, Future<Outcome>> running = new LinkedHashMap<>();
    ExecutorService threads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("wr-fetch-", 0).factory());
    try {
      for (ModuleConfig module : modules) {
        if (module.wasm() instanceof WasmSource.File file) {
          outcomes.put(module, new Fetched(file.path(), null));
        } else {
          running.put(module, threads.submit(() -> fetch(module)));
        }
      }
      long deadline = System.nanoTime() + config.fetchTimeout().toNanos();
      for (Map.Entry<ModuleConfig, Future<Outcome>> entry : running.entrySet()) {
        outcomes.put(entry.getKey(), await(entry.getKey(), entry.getValue(), deadline));
      }
    } finally {
      threads.shutdownNow();
    }
    Map<ModuleConfig, Outcome> inOrder = new LinkedHashMap<>();
    for (ModuleConfig module : modules) {
      inOrder.put(module, outcomes.get(module));
    }
    return inOrder;
  }

  private Outcome await(ModuleConfig module, Future<Outcome> future, long deadline) {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return new Failed(
          module.wasm().describe()
              + ": fetching did not finish within "
              + config.fetchTimeout().toSeconds()
              + " s (module_fetch_timeout_secs)");
    } catch (ExecutionException e) {
      return new Failed(module.wasm().describe() + ": fetching failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      return new Failed(module.wasm().describe() + ": fetching was interrupted");
    }
  }

  /** Fetches one module; never throws (a failure is an outcome). */
  Outcome fetch(ModuleConfig module) {
    long started = System.nanoTime();
    try {
      Outcome outcome =
          switch (module.wasm()) {
            case WasmSource.Image image -> image(module, image);
            case WasmSource.Url url -> url(url);
            case WasmSource.File file -> new Fetched(file.path(), null);
          };
      LOG.debug(
          "module {}: {} fetched in {} ms",
          module.label(),
          module.wasm().describe(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return outcome;
    } catch (IOException e) {
      return new Failed(module.wasm().describe() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      return new Failed(module.wasm().describe() + ": fetching failed: " + e);
    }
  }

  private Outcome image(ModuleConfig module, WasmSource.Image image) throws IOException {
    RegistryCredentials credentials =
        image.authFiles().isEmpty()
            ? RegistryCredentials.NONE
            : RegistryCredentials.load(image.authFiles());
    RegistryClient client =
        RegistryClient.builder()
            .credentials(credentials)
            .insecure(config.insecureRegistries())
            .requestTimeout(shorter(config.fetchTimeout(), RegistryClient.DEFAULT_REQUEST_TIMEOUT))
            .build();
    PulledModule pulled = client.pull(image.reference(), cache);
    LOG.info(
        "module {}: {} is {} (wasm layer {}{})",
        module.label(),
        image.describe(),
        pulled.reference(),
        pulled.wasm().digest(),
        pulled.schema() == null ? "" : ", schema layer " + pulled.schema().digest());
    return new Fetched(pulled.wasmFile(), pulled.schemaFile());
  }

  private Outcome url(WasmSource.Url url) throws IOException {
    Optional<Path> cached = cache.find(url.sha256());
    if (cached.isPresent()) {
      return new Fetched(cached.get(), null);
    }
    Duration timeout = shorter(config.fetchTimeout(), RegistryClient.DEFAULT_REQUEST_TIMEOUT);
    // NORMAL follows redirects except from https to http.
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(shorter(timeout, Duration.ofSeconds(10)))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpRequest request = HttpRequest.newBuilder(url.url()).timeout(timeout).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new OciException("no answer within " + timeout.toSeconds() + " s", e);
    } catch (ConnectException e) {
      throw new OciException(
          "unreachable: " + (e.getMessage() != null ? e.getMessage() : "connection refused"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException("interrupted", e);
    }
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new OciException(
            "GET answered " + response.statusCode() + " (expected: 200 with the module binary)");
      }
      return new Fetched(cache.put(in, url.sha256(), "the content", MAX_URL_BYTES), null);
    }
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }
}
