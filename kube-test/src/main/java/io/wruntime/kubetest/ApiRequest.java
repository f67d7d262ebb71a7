package io.wruntime.kubetest;

import java.net.URI;

/**
 * An HTTP request to the Kubernetes API, as the RBAC (group, resource, verbs) it needs: a
 * server-side apply is a {@code patch} that creates what does not exist yet, so it needs {@code
 * create} too.
 */
public record ApiRequest(String group, String resource, java.util.List<String> verbs) {
  public static final String APPLY_PATCH = "application/apply-patch+yaml";

  /** Null when the path is not a resource path (discovery, /version). */
  public static ApiRequest parse(String method, String contentType, String pathAndQuery) {
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
    // The content type is set after interceptors run; Fabric8 marks its applies with force=.
    boolean apply =
        method.equals("PATCH")
            && ((contentType != null && contentType.startsWith(APPLY_PATCH))
                || (uri.getQuery() != null && uri.getQuery().contains("force=")))
            && !resource.contains("/");
    return new ApiRequest(
        group, resource, apply ? java.util.List.of("create", "patch") : java.util.List.of(verb));
  }
}
