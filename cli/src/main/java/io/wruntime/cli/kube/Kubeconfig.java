package io.wruntime.cli.kube;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.wruntime.cli.UsageException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the kubeconfig as kubectl does ({@code KUBECONFIG}, a list of files, else {@code
 * ~/.kube/config}) and the context to use ({@code --kube-context}, else the first {@code
 * current-context}), and turns them into a Fabric8 {@link Config}. What is missing is a {@link
 * UsageException} naming it: the user has to set something up before {@code --kube} can work.
 */
public final class Kubeconfig {
  private Kubeconfig() {}

  /**
   * The client configuration of {@code context}, or of the current context when null.
   *
   * @param environment where {@code KUBECONFIG} and {@code HOME} are read
   * @throws UsageException when there is no kubeconfig, no such context, or no current context
   */
  public static Config load(Map<String, String> environment, String context) {
    requireNonNull(environment, "environment");
    List<Path> files = files(environment);
    List<String> contexts = new ArrayList<>();
    String current = null;
    Path holder = null;
    for (Path file : files) {
      io.fabric8.kubernetes.api.model.Config parsed = parse(file);
      if (current == null && blankToNull(parsed.getCurrentContext()) != null) {
        current = parsed.getCurrentContext();
      }
      for (NamedContext named :
          parsed.getContexts() == null ? List.<NamedContext>of() : parsed.getContexts()) {
        contexts.add(named.getName());
        String wanted = context != null ? context : current;
        if (holder == null && named.getName().equals(wanted)) {
          holder = file;
        }
      }
    }
    String where = files.size() == 1 ? "kubeconfig " + files.get(0) : "kubeconfig files " + files;
    if (contexts.isEmpty()) {
      throw new UsageException(
          where
              + " has no contexts (expected: a context for the cluster, e.g. written by kind,"
              + " k3d, minikube or your cloud's CLI)");
    }
    String chosen = context != null ? context : current;
    if (chosen == null) {
      throw new UsageException(
          where
              + " has no current-context (expected: --kube-context NAME, one of: "
              + String.join(", ", contexts)
              + "; or kubectl config use-context NAME)");
    }
    if (holder == null) {
      // The current context may be named in one file and defined in a later one.
      for (Path file : files) {
        if (contextsOf(file).contains(chosen)) {
          holder = file;
          break;
        }
      }
    }
    if (holder == null) {
      throw new UsageException(
          (context != null ? "--kube-context " : "current-context ")
              + chosen
              + " is not a context of "
              + where
              + " (expected one of: "
              + String.join(", ", contexts)
              + ")");
    }
    String cluster = clusterOf(files, chosen);
    if (cluster == null || !definesCluster(files, cluster)) {
      throw new UsageException(
          "context "
              + chosen
              + (cluster == null ? " names no cluster" : " names cluster " + cluster + ", which")
              + (cluster == null ? "" : " no kubeconfig file defines")
              + " (expected: a context whose cluster is in "
              + where
              + ")");
    }
    Config config;
    try {
      config = Config.fromKubeconfig(chosen, holder.toFile());
    } catch (RuntimeException e) {
      throw new UsageException(
          where + ", context " + chosen + " cannot be used: " + rootMessage(e), e);
    }
    // One failed request is enough to report: the default retries with backoff for minutes.
    config.setRequestRetryBackoffLimit(0);
    return config;
  }

  private static io.fabric8.kubernetes.api.model.Config parse(Path file) {
    io.fabric8.kubernetes.api.model.Config parsed;
    try {
      if (Files.size(file) == 0) {
        throw new UsageException(
            "kubeconfig " + file + " is empty (expected: the kubeconfig kubectl uses)");
      }
      parsed = KubeConfigUtils.parseConfig(file.toFile());
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof UsageException usage) {
        throw usage;
      }
      throw new UsageException(
          "kubeconfig " + file + " cannot be read: " + rootMessage(e) + " (expected: YAML)", e);
    }
    if (parsed == null) {
      throw new UsageException(
          "kubeconfig " + file + " holds no configuration (expected: the kubeconfig kubectl uses)");
    }
    return parsed;
  }

  private static String clusterOf(List<Path> files, String context) {
    for (Path file : files) {
      var parsed = parse(file);
      for (NamedContext named :
          parsed.getContexts() == null ? List.<NamedContext>of() : parsed.getContexts()) {
        if (named.getName().equals(context) && named.getContext() != null) {
          return blankToNull(named.getContext().getCluster());
        }
      }
    }
    return null;
  }

  private static boolean definesCluster(List<Path> files, String cluster) {
    for (Path file : files) {
      var parsed = parse(file);
      if (parsed.getClusters() != null
          && parsed.getClusters().stream().anyMatch(c -> cluster.equals(c.getName()))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private static List<String> contextsOf(Path file) {
    var parsed = parse(file);
    return parsed.getContexts() == null
        ? List.of()
        : parsed.getContexts().stream().map(NamedContext::getName).toList();
  }

  /** The kubeconfig files that exist, in order; at least one. */
  static List<Path> files(Map<String, String> environment) {
    String variable = blankToNull(environment.get("KUBECONFIG"));
    if (variable != null) {
      List<Path> existing = new ArrayList<>();
      for (String name : variable.split(File.pathSeparator)) {
        if (!name.isBlank() && Files.isRegularFile(Path.of(name))) {
          existing.add(Path.of(name));
        }
      }
      if (existing.isEmpty()) {
        throw new UsageException(
            "no kubeconfig: KUBECONFIG="
                + variable
                + " names no existing file (expected: the kubeconfig kubectl uses)");
      }
      return existing;
    }
    String home = blankToNull(environment.get("HOME"));
    Path file = Path.of(home != null ? home : System.getProperty("user.home"), ".kube", "config");
    if (!Files.isRegularFile(file)) {
      throw new UsageException(
          "no kubeconfig: "
              + file
              + " does not exist and KUBECONFIG is not set (expected: the kubeconfig kubectl"
              + " uses, with a context for the cluster)");
    }
    return List.of(file);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
