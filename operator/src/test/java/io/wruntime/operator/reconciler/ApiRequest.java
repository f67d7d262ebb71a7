package io.wruntime.operator.reconciler;

import java.net.URI;

/** An HTTP request to the Kubernetes API, as the RBAC (group, resource, verb) it needs. */
record ApiRequest(String group, String resource, String verb) {
  /** Null when the path is not a resource path (discovery, /version). */
  static ApiRequest parse(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    String[] parts = uri.getPath().replaceFirst("^/", "").split("/");
    int i;
    String group;
    if (parts.length >= 3 && parts[0].equals("api")) {
      group = "";
      i = 2;
    } else if (parts.length >= 4 && parts[0].equals("apis")) {
      group = parts[1];
      i = 3;
    } else {
      return null;
    }
    if (i + 1 < parts.length && parts[i].equals("namespaces") && i + 2 < parts.length) {
      i += 2;
    }
    String resource = parts[i];
    String name = i + 1 < parts.length ? parts[i + 1] : null;
    if (i + 2 < parts.length) {
      resource = resource + "/" + parts[i + 2];
    }
    boolean watch = uri.getQuery() != null && uri.getQuery().contains("watch=true");
    String verb =
        switch (method) {
          case "GET" -> name != null ? "get" : watch ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> method.toLowerCase();
        };
    return new ApiRequest(group, resource, verb);
  }
}
