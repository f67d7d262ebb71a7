package io.wruntime.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Logging of the wruntime processes, built in code: logback finds this class through the
 * ServiceLoader ({@code META-INF/services/ch.qos.logback.classic.spi.Configurator}) and runs it
 * before its own XML configuration (Joran), whose parsing took a quarter of the proxy's start.
 *
 * <p>Which process is logging is named by the system property {@value #PROFILE_PROPERTY} when set
 * (wr-cli sets it: its classpath holds the servers' modules too), else by the resource {@value
 * #PROFILE_RESOURCE} of the process's own module (its first occurrence on the classpath): one word,
 * a {@link Profile}. The configuration steps aside (logback then configures itself as usual) when
 * the user points at their own: the system property {@code logback.configurationFile} is set, or a
 * {@code logback-test.xml} or {@code logback.xml} is on the classpath (the modules' test resources,
 * or a file added to an image); and when no profile resource is found.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class ServerLogConfigurator extends ContextAwareBase implements Configurator {

  /** The classpath resource naming the process's {@link Profile}, e.g. {@code proxy}. */
  public static final String PROFILE_RESOURCE = "META-INF/wruntime/log-profile";

  /** The system property naming the process's {@link Profile}, ahead of the resource. */
  public static final String PROFILE_PROPERTY = "wruntime.log-profile";

  /** The variable (system property, then environment) that sets the level of io.wruntime. */
  public static final String LEVEL_VARIABLE = "WR_LOG_LEVEL";

  /** One line per event with an ISO-8601 time and the thread: the servers' stdout. */
  private static final String SERVER_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";

  /** What each process logs; the comments name the lines that tests and operators parse. */
  public enum Profile {
    /** wr-proxy on stdout ("proxy listening on HOST:PORT"). */
    PROXY(SERVER_PATTERN, "io.grpc", "io.netty", "io.opentelemetry"),
    /** wr-manager on stdout ("manager listening on HOST:PORT"). */
    MANAGER(SERVER_PATTERN, "io.grpc", "io.netty"),
    /** wr-operator on stdout. */
    OPERATOR(SERVER_PATTERN, "io.grpc", "io.netty"),
    /** wr-engine on stdout ("request failed: module=..."); io.wruntime at WR_LOG_LEVEL. */
    ENGINE(
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n",
        "io.netty", "com.dylibso.chicory"),
    /**
     * wr-cli: its own output goes through picocli, only warnings and errors of libraries reach
     * stderr; the servers {@code wr-cli dev up} runs in its JVM (io.wruntime) log one line per
     * event at WR_LOG_LEVEL, with a time, to stderr.
     */
    CLI("%level %logger{20} - %msg%n");

    private final String pattern;
    private final List<String> quietLoggers;

    Profile(String pattern, String... quietLoggers) {
      this.pattern = pattern;
      this.quietLoggers = List.of(quietLoggers);
    }

    /** The profile named {@code name} (case-insensitive, surrounding blanks ignored). */
    public static Profile named(String name) {
      String wanted = name.strip().toUpperCase(Locale.ROOT);
      for (Profile profile : values()) {
        if (profile.name().equals(wanted)) {
          return profile;
        }
      }
      throw new IllegalArgumentException(
          "log profile: "
              + name.strip()
              + " (expected one of proxy, manager, operator, engine, cli)");
    }
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = ServerLogConfigurator.class.getClassLoader();
    if (System.getProperty("logback.configurationFile") != null
        || loader.getResource("logback-test.xml") != null
        || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Profile profile;
    try {
      String named = System.getProperty(PROFILE_PROPERTY);
      profile =
          named != null ? Profile.named(named) : profileOf(loader.getResource(PROFILE_RESOURCE));
    } catch (IOException | IllegalArgumentException e) {
      addWarn("wruntime logging: no profile (" + e.getMessage() + "), using logback's default", e);
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    if (profile == null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, profile, ServerLogConfigurator::variable);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Configures {@code context} for {@code profile}; {@code variables} resolves WR_LOG_LEVEL (null
   * when unset), as ${WR_LOG_LEVEL:-INFO} did in the XML files.
   */
  public static void configure(
      LoggerContext context, Profile profile, Function<String, String> variables) {
    String level = variables.apply(LEVEL_VARIABLE);
    if (level == null) {
      level = "INFO";
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (String name : profile.quietLoggers) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    switch (profile) {
      case PROXY, MANAGER, OPERATOR -> {
        root.setLevel(Level.INFO);
        root.addAppender(console(context, "STDOUT", "System.out", profile.pattern));
      }
      case ENGINE -> {
        setLevel(context.getLogger("io.wruntime"), level);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, "STDOUT", "System.out", profile.pattern));
      }
      case CLI -> {
        Logger servers = context.getLogger("io.wruntime");
        setLevel(servers, level);
        servers.setAdditive(false);
        servers.addAppender(
            console(
                context,
                "SERVERS",
                "System.err",
                "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n"));
        root.setLevel(Level.WARN);
        root.addAppender(console(context, "STDERR", "System.err", profile.pattern));
      }
    }
  }

  private static Profile profileOf(URL resource) throws IOException {
    if (resource == null) {
      return null;
    }
    try (InputStream in = resource.openStream()) {
      return Profile.named(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** As logback's XML substitution looked variables up: system properties, then environment. */
  private static String variable(String name) {
    String value = System.getProperty(name);
    return value != null ? value : System.getenv(name);
  }

  /** Like the XML's level attribute: blank leaves the level inherited; unknown names mean DEBUG. */
  private static void setLevel(Logger logger, String level) {
    String value = level.strip();
    if (value.isEmpty()) {
      return;
    }
    if (value.equalsIgnoreCase("INHERITED") || value.equalsIgnoreCase("NULL")) {
      logger.setLevel(null);
    } else {
      logger.setLevel(Level.toLevel(value));
    }
  }

  private static ConsoleAppender<ILoggingEvent> console(
      LoggerContext context, String name, String target, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(name);
    appender.setTarget(target);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }
}
