package io.wruntime.engine;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.lifecycle.StopSignals;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.host.CodeCache;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wr-engine --config engine.toml}: runs an engine until SIGTERM/SIGINT. */
@Command(
    name = "wr-engine",
    mixinStandardHelpOptions = true,
    version = "wr-engine 0.1.0",
    description = "Runs WebAssembly modules behind an HTTP listener (see docs/configuration.md).")
public final class EngineMain implements Callable<Integer> {
  /** Exit status for a configuration error. */
  public static final int EXIT_CONFIG = 2;

  /** Exit status when the engine cannot start (e.g. the address is in use). */
  public static final int EXIT_START = 1;

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "engine configuration (TOML)")
  Path config;

  @Option(
      names = "--shutdown-grace-secs",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description =
          "how long in-flight requests may finish after SIGTERM (default: ${DEFAULT-VALUE})")
  int shutdownGraceSecs;

  @Override
  public Integer call() throws InterruptedException {
    EngineConfig engineConfig;
    try {
      engineConfig = EngineConfig.load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-engine: " + e.getMessage());
      return EXIT_CONFIG;
    }
    Telemetry telemetry;
    try {
      telemetry = Telemetry.fromEnvironment(Engine.SERVICE_NAME);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wr-engine: " + e.getMessage());
      return EXIT_CONFIG;
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    StopSignals.install(stopRequested::countDown);
    Engine engine;
    try {
      engine =
          Engine.startWith(
              engineConfig,
              outbound ->
                  new WasiHttpModuleLoader(
                      outbound,
                      telemetry.tracer(WasiHttpModuleLoader.TRACER_SCOPE),
                      CodeCache.open(engineConfig.artifacts().codeCacheDir())),
              telemetry);
    } catch (ConfigException e) {
      telemetry.close();
      spec.commandLine().getErr().println("wr-engine: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (IOException e) {
      telemetry.close();
      spec.commandLine().getErr().println("wr-engine: " + e.getMessage());
      return EXIT_START;
    }
    Duration grace = Duration.ofSeconds(Math.max(0, shutdownGraceSecs));
    stopRequested.await();
    engine.close(grace);
    telemetry.close();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new EngineMain()).execute(args));
  }
}
