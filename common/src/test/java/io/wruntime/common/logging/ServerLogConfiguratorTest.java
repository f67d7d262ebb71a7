package io.wruntime.common.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.wruntime.common.logging.ServerLogConfigurator.Profile;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The servers' log lines are parsed by tests and operators ("proxy listening on HOST:PORT"): the
 * configuration built in code must print exactly what the logback.xml files printed.
 */
class ServerLogConfiguratorTest {

  private static final Instant TIME = Instant.parse("2026-12-05T05:46:43.123Z");
  private static final String ISO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
          .withZone(ZoneId.systemDefault())
          .format(TIME);
  private static final String CLOCK_TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault()).format(TIME);

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream systemOut;
  private PrintStream systemErr;
  private final LoggerContext context = newContext();

  @BeforeEach
  void captureConsole() {
    systemOut = System.out;
    systemErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreConsole() {
    System.setOut(systemOut);
    System.setErr(systemErr);
    context.stop();
    System.clearProperty("logback.configurationFile");
    System.clearProperty(ServerLogConfigurator.PROFILE_PROPERTY);
  }

  @Test
  void proxyPrintsTheLineTestsParseOnStdout() {
    ServerLogConfigurator.configure(context, Profile.PROXY, name -> null);

    log("io.wruntime.proxy.ProxyMain", Level.INFO, "proxy listening on 127.0.0.1:4711");

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            ISO_TIME
                + " INFO  [main] i.w.proxy.ProxyMain - proxy listening on 127.0.0.1:4711"
                + System.lineSeparator());
    assertThat(err.size()).isZero();
    assertQuiet("io.grpc", "io.netty", "io.opentelemetry");
    assertThat(context.getLogger("io.wruntime.proxy").isDebugEnabled()).isFalse();
  }

  @Test
  void managerAndOperatorPrintTheSameLinesWithoutSilencingOpenTelemetry() {
    for (Profile profile : new Profile[] {Profile.MANAGER, Profile.OPERATOR}) {
      LoggerContext own = newContext();
      ServerLogConfigurator.configure(own, profile, name -> null);
      Logger logger = own.getLogger("io.wruntime.manager.ManagerMain");
      logger.callAppenders(event(logger, Level.WARN, "manager listening on [::1]:9090"));
      assertQuiet(own, "io.grpc", "io.netty");
      assertThat(own.getLogger("io.opentelemetry").getEffectiveLevel()).isEqualTo(Level.INFO);
      own.stop();
    }

    String line =
        ISO_TIME
            + " WARN  [main] i.w.m.ManagerMain - manager listening on [::1]:9090"
            + System.lineSeparator();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(line + line);
  }

  @Test
  void enginePrintsWiderLoggerNamesAndTakesItsLevelFromWrLogLevel() {
    ServerLogConfigurator.configure(context, Profile.ENGINE, Map.of("WR_LOG_LEVEL", "debug")::get);

    log(
        "io.wruntime.engine.dispatch.Dispatcher",
        Level.WARN,
        "request failed: module=echo status=500");

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            ISO_TIME
                + " WARN  [main] i.w.e.d.Dispatcher - request failed: module=echo"
                + " status=500"
                + System.lineSeparator());
    assertThat(context.getLogger("io.wruntime.engine").isDebugEnabled()).isTrue();
    assertThat(context.getLogger("org.example").isDebugEnabled()).isFalse();
    assertQuiet("io.netty", "com.dylibso.chicory");
  }

  @Test
  void engineLogsAtInfoWithoutWrLogLevel() {
    ServerLogConfigurator.configure(context, Profile.ENGINE, name -> null);

    assertThat(context.getLogger("io.wruntime.engine").getEffectiveLevel()).isEqualTo(Level.INFO);
  }

  @Test
  void cliSendsServerLinesWithATimeAndLibraryWarningsToStderrOnly() {
    ServerLogConfigurator.configure(context, Profile.CLI, name -> null);

    log("io.wruntime.proxy.ProxyMain", Level.INFO, "proxy listening on 127.0.0.1:4711");
    log("io.netty.Bootstrap", Level.WARN, "careful");
    context.getLogger("io.netty.Bootstrap").info("not shown");

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            CLOCK_TIME
                + " INFO  i.w.proxy.ProxyMain - proxy listening on 127.0.0.1:4711"
                + System.lineSeparator()
                + "WARN io.netty.Bootstrap - careful"
                + System.lineSeparator());
    assertThat(out.size()).isZero();
  }

  /**
   * Each profile against the logback.xml it replaced (kept as test resources): the same bytes on
   * the same stream for events of every level from the servers' and the libraries' loggers.
   */
  @Test
  void printsWhatTheFormerXmlFilesPrinted() throws Exception {
    String[] loggers = {
      "io.wruntime.proxy.ProxyMain",
      "io.wruntime.engine.dispatch.Dispatcher",
      "io.wruntime.manager.registry.RouteTable",
      "io.grpc.internal.ManagedChannelImpl",
      "io.netty.channel.DefaultChannelPipeline",
      "io.opentelemetry.sdk.OpenTelemetrySdk",
      "com.dylibso.chicory.runtime.Instance",
      "org.example.Other",
      "Root"
    };
    for (Profile profile : Profile.values()) {
      LoggerContext fromXml = newContext();
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(fromXml);
      String xml = "former-xml/" + profile.name().toLowerCase(Locale.ROOT) + ".xml";
      try (InputStream in = getClass().getResourceAsStream(xml)) {
        joran.doConfigure(in);
      }
      String[] expected = printAll(fromXml, loggers);
      LoggerContext inCode = newContext();
      ServerLogConfigurator.configure(inCode, profile, name -> null);
      String[] actual = printAll(inCode, loggers);

      assertThat(actual).as(profile.name()).containsExactly(expected);
      assertThat(expected[0] + expected[1]).as(profile.name()).contains(" - message at WARN");
      fromXml.stop();
      inCode.stop();
    }
  }

  /** What {@code context} prints on stdout and stderr for each logger at each level. */
  private String[] printAll(LoggerContext context, String... loggers) {
    out.reset();
    err.reset();
    for (String name : loggers) {
      for (Level level :
          new Level[] {Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR}) {
        Logger logger = context.getLogger(name);
        if (logger.isEnabledFor(level)) {
          logger.callAppenders(event(logger, level, "message at " + level));
        }
      }
    }
    return new String[] {
      out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void stepsAsideWhenTheUserNamesAConfigurationFile() {
    System.setProperty(ServerLogConfigurator.PROFILE_PROPERTY, "proxy");
    System.setProperty("logback.configurationFile", "my-logback.xml");

    assertThat(configureAutomatically()).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext())
        .isFalse();
  }

  @Test
  void configuresTheNamedProfileOtherwise() {
    System.setProperty(ServerLogConfigurator.PROFILE_PROPERTY, "Proxy");

    assertThat(configureAutomatically()).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNotNull();
  }

  @Test
  void stepsAsideWithoutAProfile() {
    // This module has no META-INF/wruntime/log-profile: a process of its own is not a server.
    assertThat(configureAutomatically()).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }

  @Test
  void unknownProfileNamesTheExpectedOnes() {
    assertThatThrownBy(() -> Profile.named(" gateway\n"))
        .hasMessage("log profile: gateway (expected one of proxy, manager, operator, engine, cli)");
  }

  /** A context as logback's SLF4J provider makes it (it gives the context its MDC). */
  private static LoggerContext newContext() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  private ExecutionStatus configureAutomatically() {
    ServerLogConfigurator configurator = new ServerLogConfigurator();
    configurator.setContext(context);
    return configurator.configure(context);
  }

  private void log(String loggerName, Level level, String message) {
    Logger logger = context.getLogger(loggerName);
    if (logger.isEnabledFor(level)) {
      logger.callAppenders(event(logger, level, message));
    }
  }

  private static LoggingEvent event(Logger logger, Level level, String message) {
    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, level, message, null, null);
    event.setTimeStamp(TIME.toEpochMilli());
    event.setThreadName("main");
    return event;
  }

  private void assertQuiet(String... names) {
    assertQuiet(context, names);
  }

  private static void assertQuiet(LoggerContext context, String... names) {
    for (String name : names) {
      assertThat(context.getLogger(name + ".x").getEffectiveLevel()).as(name).isEqualTo(Level.WARN);
    }
  }
}
