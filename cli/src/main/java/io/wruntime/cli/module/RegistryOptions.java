package io.wruntime.cli.module;

import io.wruntime.cli.CliException;
import io.wruntime.cli.UsageException;
import io.wruntime.common.oci.OciException;
import io.wruntime.common.oci.OciReference;
import io.wruntime.common.oci.RegistryClient;
import io.wruntime.common.oci.RegistryCredentials;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** How {@code module push} and {@code module pull} reach a registry. */
public final class RegistryOptions {
  @Option(
      names = "--auth-file",
      paramLabel = "FILE",
      description =
          "Docker config JSON with registry credentials ({\"auths\": {\"host\": {\"auth\":"
              + " base64(user:password)}}}, e.g. ~/.docker/config.json or a dockerconfigjson"
              + " Secret's value). Default: anonymous.")
  Path authFile;

  @Option(
      names = "--insecure",
      description =
          "Reach the registry over plain HTTP although it is not on loopback (loopback registries"
              + " always are).")
  boolean insecure;

  /** Parses {@code text} as a reference, or fails the command naming what was expected. */
  static OciReference reference(String text) {
    try {
      return OciReference.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** A client for {@code reference}'s registry with these options. */
  RegistryClient client(OciReference reference) {
    RegistryCredentials credentials = RegistryCredentials.NONE;
    if (authFile != null) {
      try {
        credentials = RegistryCredentials.load(List.of(authFile));
      } catch (OciException e) {
        throw new CliException(e.getMessage(), e);
      }
    }
    return RegistryClient.builder()
        .credentials(credentials)
        .insecure(insecure ? List.of(reference.registry()) : List.of())
        .build();
  }
}
