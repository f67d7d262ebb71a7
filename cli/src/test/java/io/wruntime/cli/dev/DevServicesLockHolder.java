package io.wruntime.cli.dev;

import java.nio.file.Path;

/**
 * A second process for {@link DevServicesIT}: takes the state directory given as its first argument
 * (and starts the embedded PostgreSQL when the second is {@code postgres}), prints {@code locked}
 * (or {@code postgres PORT}) and holds it until its standard input closes or it is killed.
 */
public final class DevServicesLockHolder {
  private DevServicesLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (DevServices services = DevServices.open(Path.of(args[0]))) {
      if (args.length > 1 && args[1].equals("postgres")) {
        System.out.println("postgres " + services.postgres().address().port());
      } else {
        System.out.println("locked");
      }
      System.out.flush();
      while (System.in.read() != -1) {
        // held until the test closes our standard input
      }
    }
  }
}
