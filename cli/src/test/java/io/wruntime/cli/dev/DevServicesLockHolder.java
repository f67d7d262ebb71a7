package io.wruntime.cli.dev;

import java.nio.file.Path;

/**
 * A second process for {@link DevServicesIT}: takes the state directory given as its argument,
 * prints {@code locked} and holds it until its standard input closes.
 */
public final class DevServicesLockHolder {
  private DevServicesLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (DevServices services = DevServices.open(Path.of(args[0]))) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() != -1) {
        // held until the test closes our standard input
      }
    }
  }
}
