package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.config.ModuleCapabilities;
import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import io.wruntime.engine.module.ModuleDefinition;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 clients of {@code wruntime:blobstore}: one per module (namespace and name, shared by its
 * versions) and distinct (endpoint, region, credentials, addressing style), created when the module
 * loads, closed with the engine. Each has a connection pool of its own: a module holding many
 * objects open over many requests exhausts only its own pool, never another module's. Credentials
 * from a {@code credentials_dir} are read when the client is created. Secrets never appear in
 * messages.
 */
public final class BlobStores implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
  static final int MAX_CONNECTIONS = 512;

  private final Map<Settings, S3Client> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** What makes two grants share a client. */
  private record Settings(
      String module,
      URI endpoint,
      String region,
      Path credentialsDir,
      ModuleCapabilities.Keys keys,
      boolean pathStyle) {}

  /**
   * Creates (or reuses) the client of the grant of {@code module}, which imports {@code
   * wruntime:blobstore}, when it loads; null when ready, else why not (e.g. a credentials file that
   * cannot be read), never with a secret.
   */
  public String prepare(ModuleDefinition module) {
    ModuleCapabilities.Blobstore grant = module.grants().blobstore();
    if (grant == null) {
      return null; // the loader refuses the import itself
    }
    try {
      client(module, grant);
      return null;
    } catch (Failure f) {
      return f.getMessage();
    }
  }

  /** The client of {@code module} for {@code grant}, created when the module loads. */
  S3Client client(ModuleDefinition module, ModuleCapabilities.Blobstore grant) throws Failure {
    if (closed) {
      throw new Failure(ErrorKind.IO, "the engine is stopping (expected: a running engine)");
    }
    Settings settings =
        new Settings(
            module.namespace() + "." + module.name(),
            grant.endpoint(),
            grant.region(),
            grant.credentialsDir(),
            grant.keys(),
            grant.pathStyle());
    S3Client client = clients.get(settings);
    if (client != null) {
      return client;
    }
    AwsBasicCredentials credentials = credentials(grant);
    synchronized (clients) {
      client = clients.get(settings);
      if (client == null) {
        client = create(settings, credentials);
        clients.put(settings, client);
      }
      return client;
    }
  }

  private static S3Client create(Settings settings, AwsBasicCredentials credentials) {
    var builder =
        S3Client.builder()
            .httpClientBuilder(
                // Streams request bodies; one connection per open object, so room for many.
                Apache5HttpClient.builder()
                    .maxConnections(MAX_CONNECTIONS)
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .socketTimeout(SOCKET_TIMEOUT))
            .region(Region.of(settings.region()))
            .credentialsProvider(StaticCredentialsProvider.create(credentials))
            .forcePathStyle(settings.pathStyle())
            // S3-compatible stores (s3proxy, MinIO, ...) do not all speak the newer checksums.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  private static AwsBasicCredentials credentials(ModuleCapabilities.Blobstore grant)
      throws Failure {
    if (grant.keys() != null) {
      return AwsBasicCredentials.create(grant.keys().accessKeyId(), grant.keys().secretAccessKey());
    }
    return AwsBasicCredentials.create(
        readSecret(grant.accessKeyIdFile()), readSecret(grant.secretAccessKeyFile()));
  }

  /** The trimmed content of a credentials file; errors name the file, never its content. */
  private static String readSecret(Path file) throws Failure {
    String value;
    try {
      value = Files.readString(file).strip();
    } catch (IOException e) {
      throw new Failure(
          ErrorKind.IO,
          "the engine cannot read the blob store credentials file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "; expected: the files "
              + ModuleCapabilities.Blobstore.ACCESS_KEY_ID_FILE
              + " and "
              + ModuleCapabilities.Blobstore.SECRET_ACCESS_KEY_FILE
              + " in the credentials_dir of [module.capabilities.blobstore] or [blobstore])");
    }
    if (value.isEmpty()) {
      throw new Failure(
          ErrorKind.IO,
          "the blob store credentials file " + file + " is empty (expected: the key)");
    }
    return value;
  }

  /** Closes every client; calls after this fail with {@code io}. */
  @Override
  public void close() {
    closed = true;
    synchronized (clients) {
      clients.values().forEach(S3Client::close);
      clients.clear();
    }
  }
}
