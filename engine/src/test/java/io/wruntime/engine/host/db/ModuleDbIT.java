package io.wruntime.engine.host.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.server.ReadinessReport;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code wruntime:db} in a running engine: the C test guest {@code db} (built from source with the
 * C SDK) against an embedded PostgreSQL (a real server binary started by the test).
 */
class ModuleDbIT {
  private static final Path GUEST = Path.of("target", "test-guests", "db.wasm");
  private static final Path HELLO = Path.of("target", "test-guests", "http_hello.wasm");
  private static final String SCHEMA = "wr__test__db";
  private static final String APP = "wruntime:" + SCHEMA;
  private static final String PASSWORD = "s3cr3t-Pa55";

  private static EmbeddedPostgres postgres;

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private Engine engine;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void freshSchema() throws Exception {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    rootLogger().addAppender(logs);
  }

  private static Logger rootLogger() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    rootLogger().detachAppender(logs);
    // The URL's password is a secret: no log line of the engine, the pool or the driver shows it.
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .isNotEmpty()
        .noneMatch(line -> line.contains(PASSWORD));
  }

  private static Connection admin() throws Exception {
    return postgres.getPostgresDatabase().getConnection();
  }

  private static String url() {
    return "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  private static String config(String database, String limits, String grant) {
    return """
        listen_address = "127.0.0.1:0"
        [database]
        %s
        [limits]
        %s
        [[module]]
        name = "db"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.db]
        %s
        """
        .formatted(database, limits, GUEST.toAbsolutePath(), grant);
  }

  private void start(String database, String limits) throws Exception {
    startWith(config(database, limits, ""));
  }

  private void startWithGrant(String database, String grant) throws Exception {
    startWith(config(database, "", grant));
  }

  private void startWith(String toml) throws Exception {
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> new WasiHttpModuleLoader(outbound));
    assertThat(engine.readiness().modules()).allSatisfy(m -> assertThat(m.error()).isNull());
  }

  private void start() throws Exception {
    start("url = \"" + url() + "\"\nmax_connections = 4", "");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path))
        .header("x-wr-namespace", "test")
        .header("x-wr-module", "db")
        .header("x-wr-version", "1.0.0")
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  private String ok(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  private static List<String> column(String sql) throws Exception {
    try (Connection c = admin();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  /** Connections of the module's pool open on the server now. */
  private static int poolConnections() throws Exception {
    return Integer.parseInt(
        column("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APP + "'")
            .get(0));
  }

  /**
   * Waits until the module's connections are idle: the engine ends what a request left open after
   * the response went out.
   */
  private static void awaitNoOpenTransactions() {
    await().atMost(Duration.ofSeconds(30)).until(() -> openTransactions() == 0);
  }

  private static int openTransactions() throws Exception {
    return Integer.parseInt(
        column(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                    + APP
                    + "' AND state <> 'idle'")
            .get(0));
  }

  @Test
  void statementsTransactionsAndCursorsWorkInTheModulesSchema() throws Exception {
    start();
    assertThat(ok("/setup")).isEqualTo("ready");
    assertThat(ok("/insert")).isEqualTo("changed=1");
    assertThat(ok("/query")).isEqualTo("id:int8,name:text\n1|widget\n");
    assertThat(ok("/tx-commit")).isEqualTo("committed");
    assertThat(ok("/tx-rollback")).isEqualTo("rolled back");
    assertThat(ok("/tx-drop")).isEqualTo("dropped");
    // Only the committed transaction left a row; the rolled back and the dropped one none.
    assertThat(column("SELECT id FROM " + SCHEMA + ".items ORDER BY id"))
        .containsExactly("1", "10");
    assertThat(ok("/tx-query")).isEqualTo("changed=1 name:text\nseen\ncursor rows=1 sum=20\n");
    assertThat(column("SELECT id FROM " + SCHEMA + ".items ORDER BY id"))
        .containsExactly("1", "10");
    assertThat(ok("/cursor")).isEqualTo("batches=3 rows=25 sum=325 columns=g:int4\n");
    assertThat(ok("/tx-cursor"))
        .startsWith("first batch=10\nafter commit: closed: the cursor's transaction was committed");
    awaitNoOpenTransactions();
  }

  @Test
  void everyValueKindRoundTripsIncludingNullsAndArrays() throws Exception {
    start();
    assertThat(ok("/values"))
        .isEqualTo(
            """
            n:int4=NULL kind=0
            b:bool=true kind=1
            i2:int2=-32768 kind=2
            i4:int4=2147483647 kind=3
            i8:int8=-9223372036854775808 kind=4
            f4:float4=3.25 kind=5
            f8:float8=2.7182818284590451 kind=6
            t:text=héllo, wörld kind=7
            by:bytea=\\x0001feff kind=8
            tz:timestamptz=1700000000123456 kind=9
            ts:timestamp=1700000000123456 kind=10
            d:date=-1 kind=11
            tm:time=45296000007 kind=12
            iv:interval=14m3d4000005us kind=13
            nu:numeric=-123456789012345678901234567890.000000001 kind=14
            u:uuid=123e4567-e89b-12d3-a456-426614174000 kind=15
            j:jsonb={"k": [1, null, "v"]} kind=16
            o:oid=4000000000 kind=17
            w:int8=5 kind=4
            ab:_bool={true,NULL,false} kind=18
            ai2:_int2={-7,NULL} kind=18
            ai4:_int4={1,NULL,-3} kind=18
            ai8:_int8={NULL,9007199254740993} kind=18
            af4:_float4={1.5,NULL} kind=18
            af8:_float8={-0.25,NULL} kind=18
            at:_text={a,b,NULL,"q"} kind=18
            aby:_bytea={\\x0001,NULL} kind=18
            atz:_timestamptz={1700000000123456,NULL} kind=18
            ats:_timestamp={1700000000123456,NULL} kind=18
            ad:_date={19000,NULL} kind=18
            atm:_time={45296000007,NULL} kind=18
            anu:_numeric={12.50,NULL} kind=18
            au:_uuid={123e4567-e89b-12d3-a456-426614174000,NULL} kind=18
            aj:_jsonb={{"a": 1},NULL} kind=18
            tz_text:text=2023-11-14 22:13:20.123456 kind=7
            ts_text:text=2023-11-14 22:13:20.123456 kind=7
            d_text:text=1969-12-31 kind=7
            tm_text:text=12:34:56.000007 kind=7
            iv_text:text=1 year 2 mons 3 days 00:00:04.000005 kind=7
            """);
  }

  @Test
  void identityAndSerialColumnsComeAsTheirIntegerTypes() throws Exception {
    start();
    assertThat(ok("/identity")).isEqualTo("id:int8,n:int4,s:int2\n1|1|1\n");
  }

  @Test
  void aSyntaxErrorIsAQueryErrorWithPostgresMessageAndSqlstate() throws Exception {
    start();
    ok("/setup");
    HttpResponse<String> response = get("/syntax");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo("query: syntax error at or near \"SELEC\" sqlstate=42601");
  }

  @Test
  void aParameterOfTheWrongTypeIsRefusedNamingItAndBothTypes() throws Exception {
    start();
    ok("/setup");
    HttpResponse<String> response = get("/wrong-type");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .startsWith(
            "invalid-parameter: parameter $1 is a text value, but the statement expects int8");
    assertThat(column("SELECT count(*) FROM " + SCHEMA + ".items")).containsExactly("0");
  }

  @Test
  void theTransactionAndCursorCapsFailThatRequestAndTheNextOneWorks() throws Exception {
    start(
        "url = \"" + url() + "\"\nmax_connections = 8\nconnection_timeout_secs = 2",
        "transactions = 3\ncursors = 2");
    ok("/setup");
    HttpResponse<String> tx = get("/tx-cap");
    assertThat(tx.statusCode()).isEqualTo(503);
    assertThat(tx.body())
        .isEqualTo(
            "3 open; limit-exceeded: this request already has 3 transactions open (expected: at"
                + " most [limits] transactions = 3 per request; commit, roll back or drop one to"
                + " begin another)");
    HttpResponse<String> cursors = get("/cursor-cap");
    assertThat(cursors.statusCode()).isEqualTo(503);
    assertThat(cursors.body())
        .isEqualTo(
            "2 open; limit-exceeded: this request already has 2 cursors open (expected: at most"
                + " [limits] cursors = 2 per request; drop a cursor to open another)");
    // What the failed requests left open was rolled back and returned to the pool.
    awaitNoOpenTransactions();
    for (int i = 0; i < 3; i++) {
      assertThat(ok("/counter")).isEqualTo("ok");
    }
    assertThat(column("SELECT n FROM " + SCHEMA + ".counter")).containsExactly("3");
  }

  @Test
  void aTransactionLeftOpenOutsideBeginTransactionIsRolledBackAndRefused() throws Exception {
    start("url = \"" + url() + "\"\nmax_connections = 1", "");
    ok("/setup");
    HttpResponse<String> response = get("/begin");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "query: the statement left a transaction open; it was rolled back (expected: BEGIN,"
                + " COMMIT and ROLLBACK through begin-transaction, commit and rollback)"
                + " sqlstate=25000");
    // The pool's one connection came back clean: the next request's statements commit.
    assertThat(ok("/insert")).isEqualTo("changed=1");
    assertThat(column("SELECT id FROM " + SCHEMA + ".items")).containsExactly("1");
    awaitNoOpenTransactions();
  }

  @Test
  void anExhaustedPoolIsAConnectionErrorAndThePoolRecovers() throws Exception {
    start("url = \"" + url() + "\"\nmax_connections = 1\nconnection_timeout_secs = 1", "");
    ok("/setup");
    HttpResponse<String> response = get("/tx-cap");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .startsWith("1 open; connection: no database connection within the pool's connection")
        .endsWith(
            "expected: fewer concurrent transactions or a larger [database] max_connections)");
    assertThat(ok("/counter")).isEqualTo("ok");
  }

  @Test
  void aValueNoKindHoldsIsAQueryError() throws Exception {
    start();
    HttpResponse<String> response = get("/infinity");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "query: a timestamptz value of column 1 cannot be represented (expected: a finite"
                + " value within the range of microseconds or days the WIT value holds)"
                + " sqlstate=22008");
  }

  @Test
  void fiftyConcurrentTransactionsLoseNoUpdateAndStayWithinThePool() throws Exception {
    start("url = \"" + url() + "\"\nmax_connections = 4\nconnection_timeout_secs = 30", "");
    ok("/setup");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger most = new AtomicInteger();
    Thread sampler =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    try {
                      most.accumulateAndGet(poolConnections(), Math::max);
                    } catch (Exception e) {
                      return;
                    }
                  }
                });
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(http.sendAsync(request("/counter"), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      HttpResponse<String> response = call.get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    running.set(false);
    sampler.join();
    assertThat(column("SELECT n FROM " + SCHEMA + ".counter")).containsExactly("50");
    assertThat(most.get()).isBetween(1, 4);
    assertThat(poolConnections()).isLessThanOrEqualTo(4);
  }

  @Test
  void connectionsWorkInTheModulesSchemaWithTheConfiguredTimeouts() throws Exception {
    start(
        "url = \"" + url() + "\"\nstatement_timeout_secs = 7\nidle_in_transaction_timeout_secs = 9",
        "");
    assertThat(ok("/settings")).isEqualTo(SCHEMA + "|7s|9s");
  }

  @Test
  void urlFilesWorkAndAModulesOwnOverridesTheEngines() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path engineUrl = dir.resolve("engine-url");
    Files.writeString(
        engineUrl,
        "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + closedPort + "/postgres\n");
    Path moduleUrl = dir.resolve("module-url");
    Files.writeString(moduleUrl, url() + "\n");
    startWithGrant("url_file = \"" + engineUrl + "\"", "url_file = \"" + moduleUrl + "\"");
    assertThat(ok("/setup")).isEqualTo("ready");
    assertThat(ok("/insert")).isEqualTo("changed=1");
    engine.close(Duration.ofSeconds(2));
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", config("url_file = \"" + engineUrl + "\"", "", "")),
            outbound -> new WasiHttpModuleLoader(outbound));
    assertThat(engine.readiness().modules().get(0).error())
        .startsWith("wruntime:db: the database at 127.0.0.1:" + closedPort + "/postgres")
        .doesNotContain(PASSWORD);
  }

  @Test
  void aStatementOverTheTimeoutIsCancelledWithPostgresMessage() throws Exception {
    start("url = \"" + url() + "\"\nstatement_timeout_secs = 1", "");
    HttpResponse<String> response = get("/sleep");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo("query: canceling statement due to statement timeout sqlstate=57014");
  }

  @Test
  void aModuleLiftingItsOwnStatementTimeoutIsStillCancelledByTheHost() throws Exception {
    start("url = \"" + url() + "\"\nstatement_timeout_secs = 1", "");
    HttpResponse<String> response = get("/sleep-unbounded");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).startsWith("query: canceling statement").endsWith("sqlstate=57014");
    // The pooled connection keeps the module's SET; the host's bound holds on it as well.
    assertThat(get("/sleep").body()).endsWith("sqlstate=57014");
  }

  @Test
  void migrationsApplyOnceInOrderAndAFailingOneStopsTheModuleNamingTheFile() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(
        migrations.resolve("001_create.sql"), "CREATE TABLE migrated (name text PRIMARY KEY);");
    Files.writeString(migrations.resolve("002_seed.sql"), "INSERT INTO migrated VALUES ('first');");
    String database = "url = \"" + url() + "\"";
    String grant = "migrations_path = \"" + migrations + "\"";
    startWithGrant(database, grant);
    assertThat(ok("/migrated")).isEqualTo("first");
    engine.close(Duration.ofSeconds(2));
    // Started again, the applied files are not applied again (002 would fail on its key).
    Files.writeString(
        migrations.resolve("003_more.sql"), "INSERT INTO migrated VALUES ('second');");
    startWithGrant(database, grant);
    assertThat(ok("/migrated")).isEqualTo("first,second");
    engine.close(Duration.ofSeconds(2));
    Files.writeString(migrations.resolve("004_broken.sql"), "INSERT INTO nowhere VALUES (1);");
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", config(database, "", grant)),
            outbound -> new WasiHttpModuleLoader(outbound));
    assertThat(engine.readiness().modules().get(0).error())
        .startsWith("wruntime:db: the database at 127.0.0.1:" + postgres.getPort() + "/postgres")
        .contains(
            "migration 004_broken.sql failed on schema wr__test__db and was rolled back; later"
                + " migrations were not applied: ERROR: relation \"nowhere\" does not exist")
        .endsWith("(SQLSTATE 42P01)");
  }

  @Test
  void aModuleWhoseDatabaseCannotBePreparedFailsAndTheOthersServe() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [database]
        url = "postgresql://postgres:%s@127.0.0.1:%d/postgres"
        connection_timeout_secs = 1
        [[module]]
        name = "db"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        [module.capabilities.db]
        [[module]]
        name = "hello"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(PASSWORD, closedPort, GUEST.toAbsolutePath(), HELLO.toAbsolutePath());
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> new WasiHttpModuleLoader(outbound));
    ReadinessReport readiness = engine.readiness();
    ReadinessReport.ModuleState db =
        readiness.modules().stream()
            .filter(m -> m.module().equals("test.db@1.0.0"))
            .findFirst()
            .orElseThrow();
    assertThat(db.state()).isEqualTo(ReadinessReport.ModuleState.FAILED);
    assertThat(db.error())
        .startsWith("wruntime:db: the database at 127.0.0.1:" + closedPort + "/postgres")
        .doesNotContain(PASSWORD);
    HttpResponse<String> hello =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/"))
                .header("x-wr-namespace", "test")
                .header("x-wr-module", "hello")
                .header("x-wr-version", "1.0.0")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(hello.statusCode()).isEqualTo(200);
  }

  @Test
  void aValueCaseTheWitDoesNotHaveFailsTheRequestAsAnAbiViolation() throws Exception {
    String toml =
        config("url = \"" + url() + "\"", "", "")
            + """
            [[module]]
            name = "bad"
            namespace = "test"
            version = "1.0.0"
            wasm_path = "%s"
            [module.capabilities.db]
            """
                .formatted(Path.of("target", "test-guests", "db_bad_value.wasm").toAbsolutePath());
    startWith(toml);
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/"))
                .header("x-wr-namespace", "test")
                .header("x-wr-module", "bad")
                .header("x-wr-version", "1.0.0")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(500);
    assertThat(bad.body())
        .contains("\"code\":\"abi_violation\"")
        .contains("value: case 99 (expected: 0 to 18)");
    assertThat(ok("/setup")).isEqualTo("ready");
    awaitNoOpenTransactions();
  }

  @Test
  void aModuleOfAnotherNamespaceCannotReadTheTablesOfThisOne() throws Exception {
    String toml =
        config("url = \"" + url() + "\"", "", "")
            + """
            [[module]]
            name = "db"
            namespace = "other"
            version = "1.0.0"
            wasm_path = "%s"
            [module.capabilities.db]
            """
                .formatted(GUEST.toAbsolutePath());
    startWith(toml);
    ok("/setup");
    ok("/insert");
    assertThat(ok("/peek")).isEqualTo("1 rows");
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/peek"))
                .header("x-wr-namespace", "other")
                .header("x-wr-module", "db")
                .header("x-wr-version", "1.0.0")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(502);
    assertThat(other.body())
        .isEqualTo("query: permission denied for schema wr__test__db sqlstate=42501");
  }

  @Test
  void aModuleImportingDbWithoutTheGrantFailsToLoadNamingTheKey() throws Exception {
    String toml =
        """
        listen_address = "127.0.0.1:0"
        [[module]]
        name = "db"
        namespace = "test"
        version = "1.0.0"
        wasm_path = "%s"
        """
            .formatted(GUEST.toAbsolutePath());
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> new WasiHttpModuleLoader(outbound));
    assertThat(engine.readiness().modules().get(0).error())
        .contains("imports wruntime:db/database@0.1.0#")
        .endsWith(
            "but is not granted wruntime:db (expected: [module.capabilities.db] in its [[module]]"
                + " entry)");
  }
}
