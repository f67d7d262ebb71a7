package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/** What the proxy does with a call: forward it inside the mesh, send it out, or refuse it. */
public sealed interface Resolution {
  /**
   * A call to a module of the mesh.
   *
   * @param namespace the destination's logical namespace
   * @param module the destination's module name
   * @param candidates the healthy instances it may go to (of one version when a requirement chose
   *     it, else of every healthy version)
   */
  record Internal(String namespace, String module, List<Instance> candidates)
      implements Resolution {
    public Internal {
      requireNonNull(namespace, "namespace");
      requireNonNull(module, "module");
      candidates = List.copyOf(candidates);
    }
  }

  /** A call to an allowlisted host outside the mesh. */
  record Egress(Destination destination) implements Resolution {
    public Egress {
      requireNonNull(destination, "destination");
    }
  }

  /**
   * A call the proxy answers itself with an error.
   *
   * @param status the HTTP status
   * @param code the machine-readable {@code code} of the JSON body
   * @param message what was wrong and what was expected
   * @param details more members of the JSON body
   */
  record Rejected(int status, String code, String message, Map<String, Object> details)
      implements Resolution {
    public Rejected {
      requireNonNull(code, "code");
      requireNonNull(message, "message");
      details = Map.copyOf(details);
    }

    public Rejected(int status, String code, String message) {
      this(status, code, message, Map.of());
    }
  }
}
