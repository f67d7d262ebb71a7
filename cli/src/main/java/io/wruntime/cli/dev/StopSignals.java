package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM as a stop request while {@code dev up} runs, so that the stack stops in order
 * and the command exits 0; a second signal exits at once (130) for a stop that hangs. Closing puts
 * the previous handlers back. Where the JVM reserves the signals (e.g. {@code -Xrs}) nothing is
 * installed and the JVM's own handling applies.
 */
final class StopSignals implements AutoCloseable {
  private static final int EXIT_SECOND_SIGNAL = 130;

  private final SignalHandler previousInt;
  private final SignalHandler previousTerm;

  private StopSignals(SignalHandler previousInt, SignalHandler previousTerm) {
    this.previousInt = previousInt;
    this.previousTerm = previousTerm;
  }

  static StopSignals install(Runnable requestStop) {
    requireNonNull(requestStop, "requestStop");
    AtomicInteger received = new AtomicInteger();
    SignalHandler handler =
        signal -> {
          if (received.incrementAndGet() > 1) {
            Runtime.getRuntime().halt(EXIT_SECOND_SIGNAL);
          }
          requestStop.run();
        };
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
