package io.wruntime.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.wruntime.common.names.S3Names;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host capabilities granted to the module; a module that imports an interface it was not
 * granted fails to load. Names other than db, blobstore, llm, fs and tracing are kept (so the
 * operator can name them in its Degraded condition) rather than dropped.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Capabilities {
  /** The capability names the engine knows. */
  public static final List<String> KNOWN = List.of("db", "blobstore", "llm", "fs", "tracing");

  @JsonPropertyDescription(
      "PostgreSQL through wruntime:db: the key of a Secret holding the connection URL"
          + " (postgresql://user:password@host:5432/db).")
  private DatabaseCapability db;

  @JsonPropertyDescription("S3-compatible blob storage through wruntime:blobstore.")
  private BlobstoreCapability blobstore;

  @JsonPropertyDescription("LLM calls through wruntime:llm.")
  private LlmCapability llm;

  @JsonPropertyDescription("A per-request temporary filesystem (mode: tempdir).")
  private FsCapability fs;

  @JsonPropertyDescription(
      "Module spans through wruntime:tracing, children of the request's engine.dispatch span.")
  private TracingCapability tracing;

  private final Map<String, Object> unknown = new TreeMap<>();

  public Capabilities() {}

  public Capabilities(
      DatabaseCapability db, BlobstoreCapability blobstore, LlmCapability llm, FsCapability fs) {
    this.db = db;
    this.blobstore = blobstore;
    this.llm = llm;
    this.fs = fs;
  }

  public Capabilities(
      DatabaseCapability db,
      BlobstoreCapability blobstore,
      LlmCapability llm,
      FsCapability fs,
      TracingCapability tracing) {
    this(db, blobstore, llm, fs);
    this.tracing = tracing;
  }

  public DatabaseCapability getDb() {
    return db;
  }

  public void setDb(DatabaseCapability db) {
    this.db = db;
  }

  public BlobstoreCapability getBlobstore() {
    return blobstore;
  }

  public void setBlobstore(BlobstoreCapability blobstore) {
    this.blobstore = blobstore;
  }

  public LlmCapability getLlm() {
    return llm;
  }

  public void setLlm(LlmCapability llm) {
    this.llm = llm;
  }

  public FsCapability getFs() {
    return fs;
  }

  public void setFs(FsCapability fs) {
    this.fs = fs;
  }

  public TracingCapability getTracing() {
    return tracing;
  }

  public void setTracing(TracingCapability tracing) {
    this.tracing = tracing;
  }

  /** Capability names this version does not know, with what was given for them. */
  @JsonAnyGetter
  @JsonIgnore
  public Map<String, Object> getUnknown() {
    return unknown;
  }

  @JsonAnySetter
  void putUnknown(String name, Object value) {
    unknown.put(name, value);
  }

  /** PostgreSQL: the Secret key with the connection URL. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DatabaseCapability(
      @JsonPropertyDescription(
              "The Secret key holding the connection URL; mounted into the engine as a file, never"
                  + " written to the engine's ConfigMap.")
          @io.fabric8.generator.annotation.Required
          KeyReference secretRef) {}

  /** S3-compatible storage. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  // Bucket names are checked by the operator, not by a CEL rule: a rule over every bucket costs
  // more than the API server's budget for one CRD allows.
  public record BlobstoreCapability(
      @JsonPropertyDescription("The S3 endpoint URL; empty for AWS S3.")
          @io.fabric8.generator.annotation.Pattern("^(https?://[^\\s/]+.*)?$")
          String endpoint,
      @JsonPropertyDescription("The region (default us-east-1).")
          @io.fabric8.generator.annotation.Pattern("^" + S3Names.REGION_REGEX + "$")
          String region,
      @JsonPropertyDescription("The buckets the module may use.")
          @io.fabric8.generator.annotation.Required
          @io.fabric8.generator.annotation.Size(min = 1, max = 100)
          List<String> buckets,
      @JsonPropertyDescription(
              "A Secret with the keys accessKeyId and secretAccessKey, mounted as files.")
          @io.fabric8.generator.annotation.Required
          String credentialsSecret) {}

  /** An LLM provider. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LlmCapability(
      @JsonPropertyDescription("The provider's wire protocol: anthropic or openai.")
          @io.fabric8.generator.annotation.Pattern("^(anthropic|openai)$")
          String provider,
      @JsonPropertyDescription("The API's base URL; the provider's own when empty.") String baseUrl,
      @JsonPropertyDescription("The Secret key holding the API key, mounted as a file.")
          @io.fabric8.generator.annotation.Required
          KeyReference apiKeySecretRef,
      @JsonPropertyDescription("The largest max-tokens a request may ask for (default 8192).")
          @io.fabric8.generator.annotation.Min(1)
          @io.fabric8.generator.annotation.Max(1000000)
          Integer maxTokens) {}

  /** The per-request filesystem. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FsCapability(
      @JsonPropertyDescription("tempdir: an empty directory for each request, removed after it.")
          @io.fabric8.generator.annotation.Pattern("^tempdir$")
          String mode) {}

  /** Module spans. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TracingCapability(
      @JsonPropertyDescription(
              "How many spans one request may start (default: the engine's [limits] spans, 1024).")
          @io.fabric8.generator.annotation.Min(1)
          @io.fabric8.generator.annotation.Max(1000000)
          Integer maxSpans) {}
}
