package io.wruntime.cli.modules;

import java.time.Clock;

/** Sets the clock {@code modules list} measures AGE against, for tests in other packages. */
public final class ModulesListCommandClocks {
  private ModulesListCommandClocks() {}

  public static void set(Clock clock) {
    ModulesListCommand.clock = clock;
  }
}
