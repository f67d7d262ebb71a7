package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM as a stop request while {@code dev up} runs, so that the stack stops in order
 * and the command exits 0. Further signals change nothing: tools such as {@code timeout} signal the
 * process and its group, so one stop can arrive twice; the stop is bounded by its grace periods.
 * Closing puts the previous handlers back. Where the JVM reserves the signals (e.g. {@code -Xrs})
 * nothing is installed and the JVM's own handling applies.
 */
final class StopSignals implements AutoCloseable {
  private final SignalHandler previousInt;
  private final SignalHandler previousTerm;

  private StopSignals(SignalHandler previousInt, SignalHandler previousTerm) {
    this.previousInt = previousInt;
    this.previousTerm = previousTerm;
  }

  static StopSignals install(Runnable requestStop) {
    requireNonNull(requestStop, "requestStop");
    SignalHandler handler = signal -> requestStop.run();
    SignalHandler previousInt = handle("INT", handler);
    SignalHandler previousTerm = handle("TERM", handler);
    return new StopSignals(previousInt, previousTerm);
  }

  private static SignalHandler handle(String name, SignalHandler handler) {
    try {
      return Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    if (previousInt != null) {
      handle("INT", previousInt);
    }
    if (previousTerm != null) {
      handle("TERM", previousTerm);
    }
  }
}
