package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.config.EngineConfig;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proxy.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configurations under {@code examples/} are what users copy: each one loads with its server's
 * reader, and the two nodes of {@code examples/multi-node} fit on one machine.
 */
class ExampleConfigsTest {
  private static final Path EXAMPLES =
      Path.of(System.getProperty("wr.root", ".."), "examples").toAbsolutePath();

  @Test
  void everyExampleConfigLoads() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(EXAMPLES)) {
      files =
          walk.filter(p -> p.toString().endsWith(".toml"))
              .filter(p -> p.startsWith(EXAMPLES.resolve("config")) || p.startsWith(multiNode()))
              .sorted()
              .toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(9);
    for (Path file : files) {
      String name = file.getFileName().toString();
      switch (name) {
        case "manager.toml" -> ManagerConfig.load(file);
        case "proxy.toml" -> ProxyConfig.load(file);
        default -> assertThat(EngineConfig.load(file).modules()).as(file.toString()).isNotEmpty();
      }
    }
  }

  @Test
  void theTwoNodesUseDistinctPortsAndEachEngineRegistersThroughItsOwnProxy() {
    ProxyConfig proxyA = ProxyConfig.load(multiNode().resolve("node-a/proxy.toml"));
    ProxyConfig proxyB = ProxyConfig.load(multiNode().resolve("node-b/proxy.toml"));
    EngineConfig engineA = EngineConfig.load(multiNode().resolve("node-a/engine.toml"));
    EngineConfig engineB = EngineConfig.load(multiNode().resolve("node-b/engine.toml"));
    ManagerConfig manager = ManagerConfig.load(multiNode().resolve("manager.toml"));

    List<Integer> ports = new ArrayList<>();
    for (ProxyConfig proxy : List.of(proxyA, proxyB)) {
      ports.add(proxy.listenAddress().port());
      ports.add(proxy.controlAddress().port());
      ports.add(proxy.node().peerListenAddress().port());
      assertThat(proxy.managerAddress().port()).isEqualTo(manager.listenAddress().port());
    }
    ports.add(engineA.listenAddress().port());
    ports.add(engineB.listenAddress().port());
    ports.add(manager.listenAddress().port());
    assertThat(ports).doesNotHaveDuplicates();
    assertThat(proxyA.node().name()).isNotEqualTo(proxyB.node().name());
    assertThat(engineA.node().proxyAddress().port()).isEqualTo(proxyA.listenAddress().port());
    assertThat(engineA.node().controlAddress().port()).isEqualTo(proxyA.controlAddress().port());
    assertThat(engineB.node().proxyAddress().port()).isEqualTo(proxyB.listenAddress().port());
    assertThat(engineB.node().controlAddress().port()).isEqualTo(proxyB.controlAddress().port());
  }

  private static Path multiNode() {
    return EXAMPLES.resolve("multi-node");
  }
}
