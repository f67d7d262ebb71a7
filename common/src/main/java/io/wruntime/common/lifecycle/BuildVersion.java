package io.wruntime.common.lifecycle;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version Maven writes into a server's {@code version.properties} (next to its main class) at
 * build time, as a {@code --version} option prints it.
 */
public final class BuildVersion {
  private BuildVersion() {}

  /**
   * The {@code --version} lines of {@code program}: its build version, then the JVM's (as picocli
   * variables, which picocli expands).
   *
   * @param anchor a class in the package that holds {@code version.properties}
   * @param program the program's name, e.g. {@code wr-proxy}
   * @throws IllegalStateException when {@code version.properties} is not on the classpath
   */
  public static String[] versionLines(Class<?> anchor, String program) {
    requireNonNull(anchor, "anchor");
    requireNonNull(program, "program");
    Properties properties = new Properties();
    try (InputStream in = anchor.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            anchor.getPackageName().replace('.', '/')
                + "/version.properties is missing from the classpath (expected: the "
                + program
                + " build output)");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String[] {
      program + " " + properties.getProperty("version"),
      "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})"
    };
  }
}
