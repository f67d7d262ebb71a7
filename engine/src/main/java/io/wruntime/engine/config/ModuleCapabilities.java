package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The host capabilities granted to one module ({@code [module.capabilities.*]} of {@code
 * engine.toml}); a part is null when it is not granted. The files and directories named here hold
 * secrets mounted into the engine's pod; they are not read, nor checked to exist, when the
 * configuration loads, but when a module uses the capability.
 *
 * @param db PostgreSQL through {@code wruntime:db}, or null
 * @param blobstore S3-compatible storage through {@code wruntime:blobstore}, or null
 * @param llm LLM calls through {@code wruntime:llm}, or null
 * @param fs a per-request filesystem, or null
 * @param tracing module spans through {@code wruntime:tracing}, or null
 */
public record ModuleCapabilities(Db db, Blobstore blobstore, Llm llm, Fs fs, Tracing tracing) {
  /** No capability granted. */
  public static final ModuleCapabilities NONE =
      new ModuleCapabilities(null, null, null, null, null);

  /** Without tracing. */
  public ModuleCapabilities(Db db, Blobstore blobstore, Llm llm, Fs fs) {
    this(db, blobstore, llm, fs, null);
  }

  /** The names of the granted capabilities, in the order db, blobstore, llm, fs, tracing. */
  public List<String> names() {
    List<String> names = new ArrayList<>(5);
    if (db != null) {
      names.add("db");
    }
    if (blobstore != null) {
      names.add("blobstore");
    }
    if (llm != null) {
      names.add("llm");
    }
    if (fs != null) {
      names.add("fs");
    }
    if (tracing != null) {
      names.add("tracing");
    }
    return List.copyOf(names);
  }

  /** The same grants with {@code newBlobstore} as the blob store grant. */
  public ModuleCapabilities withBlobstore(Blobstore newBlobstore) {
    return new ModuleCapabilities(db, newBlobstore, llm, fs, tracing);
  }

  /** True when no capability is granted. */
  public boolean isEmpty() {
    return db == null && blobstore == null && llm == null && fs == null && tracing == null;
  }

  /**
   * Module spans ({@code [module.capabilities.tracing]}).
   *
   * @param maxSpans how many spans one request may start, or null for {@code [limits] spans}
   */
  public record Tracing(Integer maxSpans) {
    /** The largest {@code max_spans}. */
    public static final int MAX_MAX_SPANS = 1_000_000;

    public Tracing {
      if (maxSpans != null && (maxSpans < 1 || maxSpans > MAX_MAX_SPANS)) {
        throw new IllegalArgumentException(
            "maxSpans: " + maxSpans + " (expected: 1 to " + MAX_MAX_SPANS + ")");
      }
    }
  }

  /**
   * PostgreSQL ({@code [module.capabilities.db]}).
   *
   * @param urlFile absolute path of the file holding the connection URL of the module's own
   *     database ({@code postgresql://user:password@host:5432/db}), or null for the engine's {@code
   *     [database]}
   * @param migrationsPath absolute path of a directory of {@code *.sql} migrations, or null
   */
  public record Db(Path urlFile, Path migrationsPath) {
    /** The module's own database, without migrations. */
    public Db(Path urlFile) {
      this(requireNonNull(urlFile, "urlFile"), null);
    }
  }

  /**
   * S3-compatible storage ({@code [module.capabilities.blobstore]}), its settings resolved against
   * the engine's {@code [blobstore]}: the module's {@code endpoint}, {@code region} and {@code
   * credentials_dir} override the engine's.
   *
   * @param endpoint the S3 endpoint URL, or null for AWS S3
   * @param region the signing region
   * @param buckets the buckets the module may use, distinct, at least one
   * @param credentialsDir absolute path of the directory holding the files {@value
   *     #ACCESS_KEY_ID_FILE} and {@value #SECRET_ACCESS_KEY_FILE}, or null when {@code keys} are
   *     given
   * @param keys the access key given in {@code [blobstore]}, or null when {@code credentialsDir} is
   * @param maxObjectSize the largest object a module may store, in bytes
   * @param maxListObjects the most objects one {@code list} call returns
   * @param pathStyle whether requests address buckets in the path ({@code endpoint/bucket/key})
   *     rather than in the host name
   */
  public record Blobstore(
      URI endpoint,
      String region,
      List<String> buckets,
      Path credentialsDir,
      Keys keys,
      long maxObjectSize,
      int maxListObjects,
      boolean pathStyle) {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String ACCESS_KEY_ID_FILE = "accessKeyId";
    public static final String SECRET_ACCESS_KEY_FILE = "secretAccessKey";
    public static final long DEFAULT_MAX_OBJECT_SIZE = 16L * 1024 * 1024;

    /** The largest {@code max_object_size}: S3's largest object, 5 TiB. */
    public static final long MAX_MAX_OBJECT_SIZE = 5L << 40;

    public static final int DEFAULT_MAX_LIST_OBJECTS = 1000;

    /** The largest {@code max_list_objects}: S3 returns at most 1000 keys a page. */
    public static final int MAX_MAX_LIST_OBJECTS = 1000;

    /** Credentials from {@code credentialsDir}, the default caps, path style with an endpoint. */
    public Blobstore(URI endpoint, String region, List<String> buckets, Path credentialsDir) {
      this(
          endpoint,
          region,
          buckets,
          requireNonNull(credentialsDir, "credentialsDir"),
          null,
          DEFAULT_MAX_OBJECT_SIZE,
          DEFAULT_MAX_LIST_OBJECTS,
          endpoint != null);
    }

    public Blobstore {
      requireNonNull(region, "region");
      buckets = List.copyOf(requireNonNull(buckets, "buckets"));
      if (buckets.isEmpty()) {
        throw new IllegalArgumentException("buckets: [] (expected: at least one bucket)");
      }
      if (credentialsDir != null && keys != null) {
        throw new IllegalArgumentException(
            "credentials: expected at most one of credentialsDir and keys");
      }
      if (maxObjectSize < 1 || maxObjectSize > MAX_MAX_OBJECT_SIZE) {
        throw new IllegalArgumentException(
            "maxObjectSize: " + maxObjectSize + " (expected: 1 to " + MAX_MAX_OBJECT_SIZE + ")");
      }
      if (maxListObjects < 1 || maxListObjects > MAX_MAX_LIST_OBJECTS) {
        throw new IllegalArgumentException(
            "maxListObjects: " + maxListObjects + " (expected: 1 to " + MAX_MAX_LIST_OBJECTS + ")");
      }
    }

    /**
     * Whether the grant names credentials. Without them the module has no store yet: the engine
     * refuses to start ({@link EngineConfig#requireBlobstores()}), unless {@code wr-cli dev up}
     * gives it its embedded S3 server ({@link #withStore}).
     */
    public boolean hasCredentials() {
      return credentialsDir != null || keys != null;
    }

    /** The same grant on another S3 server, signed with {@code newKeys}, buckets in the path. */
    public Blobstore withStore(URI newEndpoint, String newRegion, Keys newKeys) {
      return new Blobstore(
          requireNonNull(newEndpoint, "newEndpoint"),
          newRegion,
          buckets,
          null,
          requireNonNull(newKeys, "newKeys"),
          maxObjectSize,
          maxListObjects,
          true);
    }

    /** The file holding the access key id; null when {@code keys} are given. */
    public Path accessKeyIdFile() {
      return credentialsDir == null ? null : credentialsDir.resolve(ACCESS_KEY_ID_FILE);
    }

    /** The file holding the secret access key; null when {@code keys} are given. */
    public Path secretAccessKeyFile() {
      return credentialsDir == null ? null : credentialsDir.resolve(SECRET_ACCESS_KEY_FILE);
    }
  }

  /**
   * An S3 access key given in the configuration ({@code [blobstore] access_key_id} and {@code
   * secret_access_key}). Its text form hides the secret.
   */
  public record Keys(String accessKeyId, String secretAccessKey) {
    public Keys {
      requireNonNull(accessKeyId, "accessKeyId");
      requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
      return "Keys[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
    }
  }

  /**
   * An LLM provider ({@code [module.capabilities.llm]}).
   *
   * @param provider the provider's wire protocol
   * @param baseUrl the API's base URL, or null for the provider's own
   * @param apiKeyFile absolute path of the file holding the API key
   * @param maxTokens the largest max-tokens a request may ask for
   * @param model the model of a request that names none, or null (such a request is refused)
   */
  public record Llm(Provider provider, URI baseUrl, Path apiKeyFile, int maxTokens, String model) {
    public static final int DEFAULT_MAX_TOKENS = 8192;
    public static final int MAX_MAX_TOKENS = 1_000_000;

    /** A provider without a default model. */
    public Llm(Provider provider, URI baseUrl, Path apiKeyFile, int maxTokens) {
      this(provider, baseUrl, apiKeyFile, maxTokens, null);
    }

    public Llm {
      requireNonNull(provider, "provider");
      requireNonNull(apiKeyFile, "apiKeyFile");
      if (maxTokens < 1 || maxTokens > MAX_MAX_TOKENS) {
        throw new IllegalArgumentException(
            "maxTokens: " + maxTokens + " (expected: 1 to " + MAX_MAX_TOKENS + ")");
      }
    }

    /** The wire protocols spoken to LLM providers. */
    public enum Provider {
      ANTHROPIC,
      OPENAI;

      /** The name {@code engine.toml} uses: {@code anthropic}, {@code openai}. */
      public String configName() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }

  /**
   * The per-request filesystem ({@code [module.capabilities.fs]}).
   *
   * @param mode how the filesystem is provided
   */
  public record Fs(Mode mode) {
    public Fs {
      requireNonNull(mode, "mode");
    }

    /** How the filesystem is provided. */
    public enum Mode {
      /** An empty directory for each request, removed after it. */
      TEMPDIR;

      /** The name {@code engine.toml} uses: {@code tempdir}. */
      public String configName() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }
}
