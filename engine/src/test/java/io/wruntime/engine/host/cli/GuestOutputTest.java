package io.wruntime.engine.host.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class GuestOutputTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger("test.guest.output");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false); // the overlong lines stay out of the build's console
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
    logger.setAdditive(true);
  }

  private List<String> lines() {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static void write(java.io.OutputStream out, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
  }

  @Test
  void splitsLinesAcrossWritesAndStripsCarriageReturns() throws Exception {
    GuestOutput output = new GuestOutput(logger, "ns.m@1.0.0", "abc", 1024);

    write(output.stdout(), "first li");
    write(output.stdout(), "ne\r\nsecond\n\nthird");
    assertThat(lines())
        .containsExactly(
            "[ns.m@1.0.0 trace=abc] stdout: first line", "[ns.m@1.0.0 trace=abc] stdout: second");

    output.flush();
    assertThat(lines()).last().isEqualTo("[ns.m@1.0.0 trace=abc] stdout: third");
  }

  @Test
  void stdoutAndStderrKeepSeparateLines() throws Exception {
    GuestOutput output = new GuestOutput(logger, "m", "-", 1024);

    write(output.stdout(), "out ");
    write(output.stderr(), "err\n");
    write(output.stdout(), "done\n");

    assertThat(lines()).containsExactly("[m trace=-] stderr: err", "[m trace=-] stdout: out done");
  }

  @Test
  void overlongLinesAreLoggedInPieces() throws Exception {
    GuestOutput output = new GuestOutput(logger, "m", "-", 1 << 20);

    write(output.stdout(), "x".repeat(GuestOutput.MAX_LINE + 10) + "\n");

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).endsWith("stdout: " + "x".repeat(GuestOutput.MAX_LINE));
    assertThat(lines().get(1)).endsWith("stdout: " + "x".repeat(10));
  }

  @Test
  void outputBeyondTheLimitIsDroppedAndNotedOnce() throws Exception {
    GuestOutput output = new GuestOutput(logger, "m", "-", 10);

    write(output.stdout(), "12345\n");
    write(output.stderr(), "abcdefgh\n");
    write(output.stdout(), "more\n");
    output.flush();

    assertThat(lines())
        .containsExactly(
            "[m trace=-] stdout: 12345",
            "[m trace=-] stderr: abcd",
            "[m trace=-] output limit of 10 bytes reached; further output dropped");
  }

  @Test
  void sinkNeverPushesBack() throws Exception {
    GuestOutput output = new GuestOutput(logger, "m", "-", 1024);

    assertThat(output.stdoutSink().isWritable()).isTrue();
    assertThat(output.stdoutSink().capacity()).isPositive();
    byte[] line = "via sink\n".getBytes(StandardCharsets.UTF_8);
    output.stdoutSink().write(line, 0, line.length);
    assertThat(lines()).containsExactly("[m trace=-] stdout: via sink");
  }
}
