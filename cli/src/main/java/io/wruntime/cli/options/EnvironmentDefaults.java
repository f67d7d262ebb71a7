package io.wruntime.cli.options;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults of options from environment variables: an option listed here takes the variable's value
 * when the command line does not set it, else its annotated default.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
  /** Option name to environment variable. */
  public static final Map<String, String> VARIABLES =
      Map.of(
          "--manager", "WR_MANAGER",
          "--proxy", "WR_PROXY",
          "--proxy-admin", "WR_PROXY_ADMIN",
          "--kube", "WR_KUBE",
          "--kube-namespace", "WR_KUBE_NAMESPACE",
          "--tls-cert", "WR_TLS_CERT",
          "--tls-key", "WR_TLS_KEY",
          "--tls-ca", "WR_TLS_CA");

  /** Values of a flag's variable that turn it on ({@code WR_KUBE=1}); any other value is off. */
  private static final java.util.Set<String> ON = java.util.Set.of("1", "true", "yes", "on");

  private final Map<String, String> environment;

  /**
   * @param environment the process environment ({@link System#getenv()}), or a map in tests
   */
  public EnvironmentDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(requireNonNull(environment, "environment"));
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (argSpec instanceof OptionSpec option) {
      String variable = VARIABLES.get(option.longestName());
      if (variable != null) {
        String value = environment.get(variable);
        if (value != null && !value.isBlank()) {
          if (option.arity().max() == 0) {
            return Boolean.toString(ON.contains(value.trim().toLowerCase(java.util.Locale.ROOT)));
          }
          return value;
        }
      }
    }
    return null;
  }
}
