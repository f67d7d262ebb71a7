package io.wruntime.engine.dispatch;

import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.IncomingRequest;

/**
 * Sees every request the {@link Dispatcher} hands to a hosted module (inbound traffic and calls
 * between modules of one engine alike), from its arrival to how it ended; the engine traces
 * requests with it. Both methods are called on the engine's threads (an event loop, a module's
 * thread, the deadline timer) and must not block.
 */
public interface DispatchObserver {
  /** Observes nothing and leaves requests as they are. */
  DispatchObserver NONE = (module, request) -> Observation.unchanged(request);

  /**
   * A request for {@code module} arrived, before admission.
   *
   * @return the request the module is given and where its outcome goes
   */
  Observation started(HostedModule module, IncomingRequest request);

  /** One observed request. */
  interface Observation {
    /**
     * The request the module is given (the observer may have changed headers, e.g. trace context).
     */
    IncomingRequest request();

    /**
     * The request ended, called once.
     *
     * @param status the status sent (the module's or the engine's error), 0 when none was sent
     * @param error the engine's error the request ended with, or null when the module's response
     *     went through
     */
    void ended(int status, EngineError error);

    /** An observation that keeps {@code request} and ignores the outcome. */
    static Observation unchanged(IncomingRequest request) {
      return new Observation() {
        @Override
        public IncomingRequest request() {
          return request;
        }

        @Override
        public void ended(int status, EngineError error) {}
      };
    }
  }
}
