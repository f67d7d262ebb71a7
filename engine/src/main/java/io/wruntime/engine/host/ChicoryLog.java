package io.wruntime.engine.host;

import com.dylibso.chicory.log.Logger;
import org.slf4j.LoggerFactory;

/** Chicory's internal logging (WASI preview 1 tracing) through SLF4J. */
final class ChicoryLog implements Logger {
  static final ChicoryLog INSTANCE = new ChicoryLog();

  private final org.slf4j.Logger log = LoggerFactory.getLogger("io.wruntime.engine.host.wasi");

  private ChicoryLog() {}

  @Override
  public void log(Level level, String msg, Throwable throwable) {
    switch (level) {
      case ALL, TRACE -> log.trace(msg, throwable);
      case DEBUG -> log.debug(msg, throwable);
      case INFO -> log.info(msg, throwable);
      case WARNING -> log.warn(msg, throwable);
      case ERROR -> log.error(msg, throwable);
      case OFF -> {}
    }
  }

  @Override
  public boolean isLoggable(Level level) {
    return switch (level) {
      case ALL, TRACE -> log.isTraceEnabled();
      case DEBUG -> log.isDebugEnabled();
      case INFO -> log.isInfoEnabled();
      case WARNING -> log.isWarnEnabled();
      case ERROR -> log.isErrorEnabled();
      case OFF -> false;
    };
  }
}
