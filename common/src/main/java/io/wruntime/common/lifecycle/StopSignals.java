package io.wruntime.common.lifecycle;

import static java.util.Objects.requireNonNull;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a stop request, so that a signalled server stops gracefully and
 * exits 0 (the JVM's default handling runs shutdown hooks and exits 143). Where the JVM reserves
 * the signals (e.g. {@code -Xrs}), a shutdown hook requests the stop instead.
 */
public final class StopSignals {
  private StopSignals() {}

  /**
   * Runs {@code requestStop} on SIGTERM or SIGINT (or at JVM shutdown where the signals are
   * reserved); it should only signal the main thread, which then stops the server.
   */
  public static void install(Runnable requestStop) {
    requireNonNull(requestStop, "requestStop");
    try {
      Signal.handle(new Signal("TERM"), signal -> requestStop.run());
      Signal.handle(new Signal("INT"), signal -> requestStop.run());
    } catch (IllegalArgumentException e) {
      Runtime.getRuntime().addShutdownHook(new Thread(requestStop, "stop-on-shutdown"));
    }
  }
}
