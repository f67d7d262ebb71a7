package io.wruntime.engine.config;

import io.wruntime.common.config.TomlTable;
import io.wruntime.common.names.S3Names;
import io.wruntime.common.net.HttpUrls;
import io.wruntime.engine.config.ModuleCapabilities.Blobstore;
import io.wruntime.engine.config.ModuleCapabilities.Db;
import io.wruntime.engine.config.ModuleCapabilities.Fs;
import io.wruntime.engine.config.ModuleCapabilities.Keys;
import io.wruntime.engine.config.ModuleCapabilities.Llm;
import io.wruntime.engine.config.ModuleCapabilities.Tracing;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads and validates {@code [module.capabilities.*]} of one {@code [[module]]}. */
final class ModuleCapabilitiesReader {
  private static final Set<String> NAMES = Set.of("db", "blobstore", "llm", "fs", "tracing");
  private static final Set<String> DB_KEYS = Set.of("url_file", "migrations_path");
  private static final Set<String> BLOBSTORE_KEYS =
      Set.of("endpoint", "region", "buckets", "credentials_dir");
  private static final Set<String> ENGINE_BLOBSTORE_KEYS =
      Set.of(
          "endpoint",
          "region",
          "access_key_id",
          "secret_access_key",
          "credentials_dir",
          "max_object_size",
          "max_list_objects",
          "path_style");
  private static final Set<String> LLM_KEYS =
      Set.of("provider", "base_url", "api_key_file", "max_tokens", "model");
  private static final Set<String> FS_KEYS = Set.of("mode");
  private static final Set<String> TRACING_KEYS = Set.of("max_spans");

  private ModuleCapabilitiesReader() {}

  static ModuleCapabilities read(TomlTable module) {
    return read(module, BlobstoreDefaults.NONE);
  }

  /** {@code [blobstore]} of the engine, or its defaults when absent. */
  static BlobstoreDefaults engineBlobstore(TomlTable root) {
    TomlTable table = root.table("blobstore").orElse(null);
    if (table == null) {
      return BlobstoreDefaults.NONE;
    }
    table.rejectUnknownKeys(ENGINE_BLOBSTORE_KEYS);
    URI endpoint = table.has("endpoint") ? httpUrl(table, "endpoint", "http://minio:9000") : null;
    String region = region(table, Blobstore.DEFAULT_REGION);
    Keys keys = null;
    if (table.has("access_key_id") || table.has("secret_access_key")) {
      String id = secret(table, "access_key_id", "secret_access_key");
      String secret = secret(table, "secret_access_key", "access_key_id");
      keys = new Keys(id, secret);
    }
    Path credentialsDir = null;
    if (table.has("credentials_dir")) {
      if (keys != null) {
        throw table.error(
            "credentials_dir",
            "is set with access_key_id and secret_access_key (expected: one of the two ways of"
                + " giving the credentials)");
      }
      credentialsDir =
          EngineConfigReader.path(table, "credentials_dir", table.requireString("credentials_dir"));
    }
    long maxObjectSize =
        table.integer(
            "max_object_size", Blobstore.DEFAULT_MAX_OBJECT_SIZE, 1, Blobstore.MAX_MAX_OBJECT_SIZE);
    int maxList =
        (int)
            table.integer(
                "max_list_objects",
                Blobstore.DEFAULT_MAX_LIST_OBJECTS,
                1,
                Blobstore.MAX_MAX_LIST_OBJECTS);
    Boolean pathStyle = table.has("path_style") ? table.bool("path_style", true) : null;
    return new BlobstoreDefaults(
        endpoint, region, credentialsDir, keys, maxObjectSize, maxList, pathStyle);
  }

  /**
   * A credential string of {@code [blobstore]}: present with its partner and not empty. Errors name
   * the key, never the value.
   */
  private static String secret(TomlTable table, String key, String partner) {
    if (!table.has(key)) {
      throw table.error(
          key, "is missing while " + partner + " is set (expected: both keys, or neither)");
    }
    String value;
    try {
      value = table.requireString(key);
    } catch (io.wruntime.common.config.ConfigException e) {
      // The value stays out of the message: it may be the secret itself.
      throw table.error(
          key,
          "cannot be read (expected: a string, or \"${NAME}\" naming a set environment"
              + " variable)");
    }
    if (value.isBlank()) {
      throw table.error(
          key,
          "is empty (expected: the key; an environment variable it names, e.g. \"${"
              + key.toUpperCase(java.util.Locale.ROOT)
              + "}\", must be set)");
    }
    return value.strip();
  }

  private static String region(TomlTable table, String defaultRegion) {
    String region = table.string("region", defaultRegion);
    String regionProblem = S3Names.regionProblem(region);
    if (regionProblem != null) {
      throw table.error("region", "= " + regionProblem);
    }
    return region;
  }

  /** {@code [module.capabilities.*]}, blobstore settings falling back to {@code engine}'s. */
  static ModuleCapabilities read(TomlTable module, BlobstoreDefaults engine) {
    TomlTable table = module.table("capabilities").orElse(null);
    if (table == null) {
      return ModuleCapabilities.NONE;
    }
    table.rejectUnknownKeys(NAMES);
    return new ModuleCapabilities(
        table.table("db").map(ModuleCapabilitiesReader::db).orElse(null),
        table.table("blobstore").map(t -> blobstore(t, engine)).orElse(null),
        table.table("llm").map(ModuleCapabilitiesReader::llm).orElse(null),
        table.table("fs").map(ModuleCapabilitiesReader::fs).orElse(null),
        table.table("tracing").map(ModuleCapabilitiesReader::tracing).orElse(null));
  }

  private static Db db(TomlTable table) {
    table.rejectUnknownKeys(DB_KEYS);
    Path urlFile =
        table.has("url_file")
            ? EngineConfigReader.path(table, "url_file", table.requireString("url_file"))
            : null;
    Path migrations =
        table.has("migrations_path")
            ? EngineConfigReader.path(
                table, "migrations_path", table.requireString("migrations_path"))
            : null;
    return new Db(urlFile, migrations);
  }

  private static Blobstore blobstore(TomlTable table, BlobstoreDefaults engine) {
    table.rejectUnknownKeys(BLOBSTORE_KEYS);
    URI endpoint =
        table.has("endpoint") ? httpUrl(table, "endpoint", "http://minio:9000") : engine.endpoint();
    String region = region(table, engine.region());
    if (!table.has("buckets")) {
      throw table.error("buckets", "is missing (expected: an array of S3 bucket names)");
    }
    List<String> buckets = table.strings("buckets");
    if (buckets.isEmpty()) {
      throw table.error("buckets", "= [] is empty (expected: at least one S3 bucket name)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < buckets.size(); i++) {
      String bucket = buckets.get(i);
      String key = "buckets[" + i + "]";
      String bucketProblem = S3Names.bucketProblem(bucket);
      if (bucketProblem != null) {
        throw table.error(key, "= " + bucketProblem);
      }
      if (!seen.add(bucket)) {
        throw table.error(key, "= \"" + bucket + "\" is listed twice (expected: each bucket once)");
      }
    }
    Path credentials = engine.credentialsDir();
    Keys keys = engine.keys();
    if (table.has("credentials_dir")) {
      credentials =
          EngineConfigReader.path(table, "credentials_dir", table.requireString("credentials_dir"));
      keys = null;
    }
    // No credentials anywhere: refused when the engine starts (EngineConfig.requireBlobstores),
    // so that wr-cli dev up can give the module its embedded S3 server first.
    boolean pathStyle = engine.pathStyle() != null ? engine.pathStyle() : endpoint != null;
    return new Blobstore(
        endpoint,
        region,
        buckets,
        credentials,
        keys,
        engine.maxObjectSize(),
        engine.maxListObjects(),
        pathStyle);
  }

  private static Llm llm(TomlTable table) {
    table.rejectUnknownKeys(LLM_KEYS);
    String expected = "\"anthropic\" or \"openai\"";
    String providerName =
        table
            .string("provider")
            .orElseThrow(() -> table.error("provider", "is missing (expected: " + expected + ")"));
    Llm.Provider provider =
        switch (providerName) {
          case "anthropic" -> Llm.Provider.ANTHROPIC;
          case "openai" -> Llm.Provider.OPENAI;
          default ->
              throw table.error(
                  "provider", "= \"" + providerName + "\" (expected: " + expected + ")");
        };
    URI baseUrl =
        table.has("base_url") ? httpUrl(table, "base_url", "https://api.anthropic.com") : null;
    Path apiKey = requiredPath(table, "api_key_file", "the path of a file holding the API key");
    int maxTokens =
        (int) table.integer("max_tokens", Llm.DEFAULT_MAX_TOKENS, 1, Llm.MAX_MAX_TOKENS);
    String model = table.string("model").orElse(null);
    if (model != null && model.isBlank()) {
      throw table.error("model", "is empty (expected: the provider's name of a model)");
    }
    return new Llm(provider, baseUrl, apiKey, maxTokens, model);
  }

  private static Fs fs(TomlTable table) {
    table.rejectUnknownKeys(FS_KEYS);
    String mode = table.string("mode", "tempdir");
    if (!mode.equals("tempdir")) {
      throw table.error("mode", "= \"" + mode + "\" (expected: \"tempdir\")");
    }
    return new Fs(Fs.Mode.TEMPDIR);
  }

  private static Tracing tracing(TomlTable table) {
    table.rejectUnknownKeys(TRACING_KEYS);
    if (!table.has("max_spans")) {
      return new Tracing(null);
    }
    return new Tracing((int) table.integer("max_spans", 0, 1, Tracing.MAX_MAX_SPANS));
  }

  private static Path requiredPath(TomlTable table, String key, String expected) {
    String value =
        table
            .string(key)
            .orElseThrow(() -> table.error(key, "is missing (expected: " + expected + ")"));
    return EngineConfigReader.path(table, key, value);
  }

  /** {@code value} as an error may show it: user info (often a key and secret) hidden. */
  private static String withoutUserInfo(String value) {
    int scheme = value.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int end = start;
    while (end < value.length() && "/?#".indexOf(value.charAt(end)) < 0) {
      end++;
    }
    int at = value.lastIndexOf('@', end - 1);
    if (at < start) {
      return value;
    }
    return value.substring(0, start) + "<user info hidden>" + value.substring(at);
  }

  private static URI httpUrl(TomlTable table, String key, String example) {
    String value = table.requireString(key);
    String problem = HttpUrls.endpointProblem(value);
    if (problem == null) {
      return URI.create(value);
    }
    throw table.error(
        key,
        "= \""
            + withoutUserInfo(value)
            + "\" "
            + problem
            + " (expected: http:// or https://, a host, an optional port and path, e.g. "
            + example
            + ")");
  }
}
