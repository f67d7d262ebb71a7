package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.cli.CliException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded PostgreSQL and S3 server of {@code wr-cli dev up}, real servers under a temporary
 * state directory: their data survives a restart, the directory is held by one process at a time,
 * the credentials are private, and nothing starts when nothing is needed.
 */
class DevServicesIT {
  @TempDir Path dir;

  private static S3Client s3Client(DevServices.S3 s3) {
    return S3Client.builder()
        .endpointOverride(s3.endpoint())
        .region(Region.of(s3.region()))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  private static Connection connect(DevServices.Postgres postgres) throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }

  @Test
  void rowsAndObjectsSurviveARestartOnTheSameStateDirectory() throws Exception {
    Path state = dir.resolve("state");
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(
                new DevServicePlan.EngineNeeds(
                    "shop.toml", true, false, true, false, List.of("photos"))));
    String firstUrl;
    try (DevServices services = DevServices.open(state)) {
      DevServices.Endpoints endpoints = services.start(plan);
      DevServices.Postgres postgres = endpoints.postgres().orElseThrow();
      firstUrl = postgres.url();
      try (Connection c = connect(postgres);
          Statement s = c.createStatement()) {
        // The admin the engines get: it creates roles and schemas.
        s.execute("CREATE ROLE shop_owner");
        s.execute("CREATE SCHEMA shop AUTHORIZATION shop_owner");
        s.execute("CREATE TABLE shop.stock (item text PRIMARY KEY, count int NOT NULL)");
        s.execute("INSERT INTO shop.stock VALUES ('apple', 7)");
      }
      try (S3Client s3 = s3Client(endpoints.s3().orElseThrow())) {
        s3.putObject(
            b -> b.bucket("photos").key("a/b.txt"), RequestBody.fromString("hello, bucket"));
      }
    }
    // Stopped cleanly: no server left on the data directory.
    assertThat(state.resolve("postgres/postmaster.pid")).doesNotExist();

    try (DevServices services = DevServices.open(state)) {
      DevServices.Endpoints endpoints = services.start(plan);
      DevServices.Postgres postgres = endpoints.postgres().orElseThrow();
      assertThat(postgres.password()).isEqualTo(firstUrl.replaceAll(".*:(.*)@.*", "$1"));
      try (Connection c = connect(postgres);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT item, count FROM shop.stock")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("apple");
        assertThat(rs.getInt(2)).isEqualTo(7);
        assertThat(rs.next()).isFalse();
      }
      try (S3Client s3 = s3Client(endpoints.s3().orElseThrow())) {
        assertThat(s3.getObjectAsBytes(b -> b.bucket("photos").key("a/b.txt")).asUtf8String())
            .isEqualTo("hello, bucket");
        assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("photos");
      }
    }
  }

  @Test
  void connectionsNeedTheGeneratedCredentials() throws Exception {
    try (DevServices services = DevServices.open(dir)) {
      DevServices.Postgres postgres = services.postgres();
      assertThatThrownBy(
              () -> DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "wrong"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("password authentication failed");
      DevServices.S3 real = services.s3();
      services.createBuckets(List.of("photos"));
      DevServices.S3 forged =
          new DevServices.S3(
              real.endpoint(), real.region(), real.accessKeyId(), "wrong", real.dataDirectory());
      try (S3Client s3 = s3Client(forged)) {
        assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("photos")))
            .hasMessageContaining("403");
      }
    }
  }

  @Test
  void aSecondProcessOnTheSameStateDirectoryIsRefused() throws Exception {
    Process holder = holder();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");

      assertThatThrownBy(() -> DevServices.open(dir))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("the dev state directory " + dir + " is in use by another")
          .hasMessageContaining("(process " + holder.pid() + ")")
          .hasMessageContaining("--state-dir");
    } finally {
      holder.getOutputStream().close();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    // Released when that process ends.
    DevServices.open(dir).close();
  }

  @Test
  void aPostgresLeftRunningByAKilledDevUpIsStoppedAndItsDataKept() throws Exception {
    Process holder = holder("postgres");
    int port;
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith("postgres ");
      port = Integer.parseInt(line.substring("postgres ".length()));
      String password =
          Files.readAllLines(dir.resolve("postgres.credentials")).stream()
              .filter(l -> l.startsWith("password="))
              .findFirst()
              .orElseThrow()
              .substring("password=".length());
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", password);
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (id int)");
        s.execute("INSERT INTO kept VALUES (42)");
      }
    } finally {
      // No shutdown hook runs: the postmaster outlives this dev up.
      holder.destroyForcibly();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    long orphan =
        Long.parseLong(
            Files.readAllLines(dir.resolve("postgres/postmaster.pid")).getFirst().trim());
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

    try (DevServices services = DevServices.open(dir);
        Connection c = connect(services.postgres());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM kept")) {
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
    // The orphan was stopped: nothing listens on its port any more.
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
  }

  private Process holder(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DevServicesLockHolder.class.getName(),
                dir.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  @Test
  void aSecondDevServicesInThisProcessIsRefused() {
    try (DevServices first = DevServices.open(dir)) {
      assertThatThrownBy(() -> DevServices.open(dir))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("is in use by another wr-cli dev up");
    }
    DevServices.open(dir).close();
  }

  @Test
  void credentialFilesAndTheStateDirectoryAreTheOwnersOnly() throws Exception {
    Path state = dir.resolve("nested/state");
    StringWriter out = new StringWriter();
    DevServicePlan plan = new DevServicePlan(true, true, List.of("media"), List.of());
    try (DevServices services = DevUpCommand.startServices(plan, state, new PrintWriter(out))) {
      DevServices.Endpoints endpoints = services.endpoints();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
          .isEqualTo("rwx------");
      for (String file : List.of("postgres.credentials", "s3.credentials")) {
        assertThat(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(file))))
            .as(file)
            .isEqualTo("rw-------");
      }
      String password = endpoints.postgres().orElseThrow().password();
      String secret = endpoints.s3().orElseThrow().secretAccessKey();
      assertThat(Files.readString(state.resolve("postgres.credentials"))).contains(password);
      assertThat(Files.readString(state.resolve("s3.credentials"))).contains(secret);
      // dev up prints one line per service, and no log or toString shows a secret.
      assertThat(out.toString().lines())
          .satisfiesExactly(
              line ->
                  assertThat(line)
                      .startsWith("dev: embedded PostgreSQL 127.0.0.1:")
                      .contains("data in " + state.resolve("postgres")),
              line ->
                  assertThat(line)
                      .startsWith("dev: embedded S3 http://127.0.0.1:")
                      .contains("data in " + state.resolve("s3")));
      assertThat(out.toString() + endpoints + Files.readString(state.resolve("postgres.log")))
          .doesNotContain(password)
          .doesNotContain(secret);
      // The password file initdb read is gone.
      assertThat(state.resolve("postgres.pwfile")).doesNotExist();
    }

    // A credential file others can read is refused, naming it and the fix.
    Path credentials = state.resolve("s3.credentials");
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
    try (DevServices services = DevServices.open(state)) {
      assertThatThrownBy(services::s3)
          .isInstanceOf(CliException.class)
          .hasMessageContaining(credentials + " is readable or writable by other users")
          .hasMessageContaining("chmod 600");
    }
  }

  @Test
  void aBucketNameThatIsNotOneIsRefused() {
    try (DevServices services = DevServices.open(dir)) {
      assertThatThrownBy(() -> services.createBuckets(List.of("../etc")))
          .isInstanceOf(CliException.class)
          .hasMessageContaining("bucket \"../etc\" is not a valid bucket name");
    }
    assertThat(dir.resolve("etc")).doesNotExist();
  }

  @Test
  void nothingStartsWhenNothingIsNeeded() {
    Path state = dir.resolve("never");
    StringWriter out = new StringWriter();
    DevServicePlan plan =
        DevServicePlan.of(
            List.of(
                new DevServicePlan.EngineNeeds("a.toml", false, false, false, false, List.of()),
                new DevServicePlan.EngineNeeds(
                    "b.toml", true, true, true, true, List.of("configured"))));
    assertThat(DevUpCommand.startServices(plan, state, new PrintWriter(out))).isNull();
    assertThat(out.toString()).isEmpty();
    assertThat(state).doesNotExist();
  }
}
