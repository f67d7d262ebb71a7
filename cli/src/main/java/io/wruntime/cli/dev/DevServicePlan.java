package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Which embedded services {@code wr-cli dev up} starts: an embedded PostgreSQL when some engine has
 * a module that uses a database and no database is configured for it, an in-process S3 server when
 * some engine has a module that uses a blob store and no endpoint is configured for it, with the
 * buckets those engines name. A pure function of {@link EngineNeeds}: as soon as a database URL or
 * an S3 endpoint is configured, that real server is used and nothing is started for it.
 *
 * @param postgres whether to start the embedded PostgreSQL
 * @param s3 whether to start the in-process S3 server
 * @param buckets the buckets to create in it when missing, sorted, without duplicates (empty when
 *     {@code s3} is false)
 * @param reasons one line per service to start, naming the configurations that need it
 */
public record DevServicePlan(
    boolean postgres, boolean s3, List<String> buckets, List<String> reasons) {

  /** Nothing to start. */
  public static final DevServicePlan NONE = new DevServicePlan(false, false, List.of(), List.of());

  public DevServicePlan {
    buckets = List.copyOf(requireNonNull(buckets, "buckets"));
    reasons = List.copyOf(requireNonNull(reasons, "reasons"));
    if (!s3 && !buckets.isEmpty()) {
      throw new IllegalArgumentException("buckets without s3: " + buckets);
    }
  }

  /**
   * What one engine configuration needs.
   *
   * @param source the configuration's name (its file), for the log
   * @param usesDatabase some module of it is granted a database
   * @param databaseConfigured a database URL is configured for those modules (nothing to start)
   * @param usesBlobstore some module of it is granted a blob store
   * @param blobstoreConfigured credentials of an S3 store are configured for those modules (nothing
   *     to start)
   * @param buckets the buckets its modules are granted
   */
  public record EngineNeeds(
      String source,
      boolean usesDatabase,
      boolean databaseConfigured,
      boolean usesBlobstore,
      boolean blobstoreConfigured,
      List<String> buckets) {
    public EngineNeeds {
      requireNonNull(source, "source");
      buckets = List.copyOf(requireNonNull(buckets, "buckets"));
    }

    boolean needsPostgres() {
      return usesDatabase && !databaseConfigured;
    }

    boolean needsS3() {
      return usesBlobstore && !blobstoreConfigured;
    }
  }

  /** The plan for these engines: a service is started when at least one of them needs it. */
  public static DevServicePlan of(List<EngineNeeds> engines) {
    requireNonNull(engines, "engines");
    List<String> forPostgres = new ArrayList<>();
    List<String> forS3 = new ArrayList<>();
    TreeSet<String> buckets = new TreeSet<>();
    for (EngineNeeds engine : engines) {
      if (engine.needsPostgres()) {
        forPostgres.add(engine.source());
      }
      if (engine.needsS3()) {
        forS3.add(engine.source());
        buckets.addAll(engine.buckets());
      }
    }
    List<String> reasons = new ArrayList<>();
    if (!forPostgres.isEmpty()) {
      reasons.add(
          "a database, none configured: "
              + String.join(", ", forPostgres)
              + " (embedded PostgreSQL)");
    }
    if (!forS3.isEmpty()) {
      reasons.add("a blob store, none configured: " + String.join(", ", forS3) + " (embedded S3)");
    }
    return new DevServicePlan(
        !forPostgres.isEmpty(), !forS3.isEmpty(), List.copyOf(buckets), reasons);
  }

  /** True when nothing is to be started. */
  public boolean isEmpty() {
    return !postgres && !s3;
  }
}
