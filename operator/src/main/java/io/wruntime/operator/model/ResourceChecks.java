package io.wruntime.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Map;

/** Checks of container resources the API server would otherwise refuse a whole Deployment for. */
public final class ResourceChecks {
  private ResourceChecks() {}

  /** Null when every request is at most its limit, else which one is not. */
  public static String requestsAboveLimits(ResourceRequirements resources) {
    if (resources == null || resources.getRequests() == null || resources.getLimits() == null) {
      return null;
    }
    for (Map.Entry<String, Quantity> request : resources.getRequests().entrySet()) {
      Quantity limit = resources.getLimits().get(request.getKey());
      if (limit != null
          && Quantity.getAmountInBytes(request.getValue())
                  .compareTo(Quantity.getAmountInBytes(limit))
              > 0) {
        return "requests."
            + request.getKey()
            + " = "
            + request.getValue()
            + " is above limits."
            + request.getKey()
            + " = "
            + limit
            + " (expected: a request at most its limit)";
      }
    }
    return null;
  }
}
