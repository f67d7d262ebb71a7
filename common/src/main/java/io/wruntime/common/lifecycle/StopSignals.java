package io.wruntime.common.lifecycle;

import static java.util.Objects.requireNonNull;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into a stop request, so that a signalled process stops in order and
 * exits 0 (the JVM's default handling runs shutdown hooks and exits 143). Further signals change
 * nothing but calling the request again: tools such as {@code timeout} signal the process and its
 * group, so one stop can arrive twice. Where the JVM reserves the signals (e.g. {@code -Xrs}), a
 * shutdown hook requests the stop instead. {@link #close()} puts the previous handling back (a
 * command that stops listening once its work is done); a server simply never closes it.
 */
public final class StopSignals implements AutoCloseable {
  private final SignalHandler previousTerm;
  private final SignalHandler previousInt;
  private final Thread hook;

  private StopSignals(SignalHandler previousTerm, SignalHandler previousInt, Thread hook) {
    this.previousTerm = previousTerm;
    this.previousInt = previousInt;
    this.hook = hook;
  }

  /**
   * Runs {@code requestStop} on SIGTERM or SIGINT (or at JVM shutdown where the signals are
   * reserved); it should only signal the main thread, which then stops.
   */
  public static StopSignals install(Runnable requestStop) {
    requireNonNull(requestStop, "requestStop");
    SignalHandler handler = signal -> requestStop.run();
    SignalHandler previousTerm = handle("TERM", handler);
    SignalHandler previousInt = handle("INT", handler);
    Thread hook = null;
    if (previousTerm == null || previousInt == null) {
      hook = new Thread(requestStop, "stop-on-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    return new StopSignals(previousTerm, previousInt, hook);
  }

  /** The previous handler, or null when the JVM reserves the signal. */
  private static SignalHandler handle(String name, SignalHandler handler) {
    try {
      return Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() {
    if (previousTerm != null) {
      handle("TERM", previousTerm);
    }
    if (previousInt != null) {
      handle("INT", previousInt);
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting: the hook runs (or ran) and requests the stop, which is harmless.
      }
    }
  }
}
