package io.wruntime.manager.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagerConfigTest {
  @Test
  void defaultsAreTheReferenceValues() {
    ManagerConfig config = ManagerConfig.defaults();

    assertThat(config.listenAddress()).isEqualTo(new HostPort("127.0.0.1", 9000));
    assertThat(config.tls()).isNull();
    assertThat(config.allowPlaintext()).isFalse();
    assertThat(config.engineHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.moduleHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.healthCheckInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.adminAddress()).isNull();
    assertThat(config.kubernetes().enabled()).isFalse();
  }

  @Test
  void everyKeyIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("manager.toml");
    Files.writeString(
        file,
        """
        listen_address = "[::1]:9500"
        engine_heartbeat_timeout_secs = 20
        module_heartbeat_timeout_secs = 7
        health_check_interval_secs = 2
        admin_address = "127.0.0.1:9501"
        engine_expiry_secs = 600
        startup_resync_secs = 5

        [kubernetes]
        enabled = true
        watch_namespaces = ["team-a", "team-b"]
        engine_address = "127.0.0.1:9200"
        """);

    ManagerConfig config = ManagerConfig.load(file);

    assertThat(config.source()).isEqualTo(file.toString());
    assertThat(config.listenAddress()).isEqualTo(new HostPort("::1", 9500));
    assertThat(config.listenAddress()).hasToString("[::1]:9500");
    assertThat(config.engineHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.moduleHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.healthCheckInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.adminAddress()).isEqualTo(new HostPort("127.0.0.1", 9501));
    assertThat(config.engineExpiry()).isEqualTo(Duration.ofSeconds(600));
    assertThat(config.startupResync()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.kubernetes())
        .isEqualTo(
            new KubernetesConfig(
                true, List.of("team-a", "team-b"), new HostPort("127.0.0.1", 9200)));
  }

  @Test
  void clusterModeWatchesEveryNamespaceAndReachesEnginesOnThePodLoopbackByDefault() {
    KubernetesConfig kubernetes =
        ManagerConfig.parse("m.toml", "[kubernetes]\nenabled = true").kubernetes();

    assertThat(kubernetes.enabled()).isTrue();
    assertThat(kubernetes.watchNamespaces()).isEmpty();
    assertThat(kubernetes.engineAddress()).isEqualTo(new HostPort("127.0.0.1", 9100));
  }

  @Test
  void aWatchedNamespaceMustBeAKubernetesNamespaceName() {
    assertThatThrownBy(
            () ->
                ManagerConfig.parse(
                    "m.toml", "[kubernetes]\nenabled = true\nwatch_namespaces = [\"Team_A\"]"))
        .hasMessage(
            "m.toml: kubernetes.watch_namespaces[0] = \"Team_A\" (expected: a Kubernetes namespace"
                + " name, lower-case letters, digits and '-', at most 63 characters)");
    assertThatThrownBy(
            () -> ManagerConfig.parse("m.toml", "[kubernetes]\nwatch_namespaces = [\"a\", \"a\"]"))
        .hasMessage(
            "m.toml: kubernetes.watch_namespaces[1] = \"a\" is listed twice (expected: each"
                + " namespace once)");
  }

  @Test
  void kubernetesKeysAreChecked() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "[kubernetes]\nenabled = \"yes\""))
        .hasMessage("m.toml: kubernetes.enabled = \"yes\" (expected: true or false)");
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "[kubernetes]\nnamespaces = []"))
        .hasMessage(
            "m.toml: kubernetes.namespaces is not a known key (expected one of: enabled, engine_address,"
                + " watch_namespaces)");
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "kubernetes = true"))
        .hasMessage("m.toml: kubernetes = true (expected: a table [kubernetes])");
  }

  @Test
  void theModuleTimeoutFollowsTheEngineTimeoutWhenUnset() {
    ManagerConfig config = ManagerConfig.parse("m.toml", "engine_heartbeat_timeout_secs = 30");

    assertThat(config.moduleHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void anUnknownKeyIsRejectedListingTheKnownOnes() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "listen_adress = \"0.0.0.0:9000\""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "m.toml: listen_adress is not a known key (expected one of: admin_address,"
                + " allow_plaintext, engine_expiry_secs, engine_heartbeat_timeout_secs,"
                + " health_check_interval_secs, idle_timeout_secs, kubernetes, listen_address,"
                + " local_proxy_address, max_concurrent_calls_per_connection, max_connections,"
                + " module_heartbeat_timeout_secs, shared_node_identities, startup_resync_secs, tls)");
  }

  @Test
  void listenerLimitsHaveDefaultsAndAreRangeChecked() {
    assertThat(ManagerConfig.defaults().listener())
        .isEqualTo(new ListenerLimits(1024, 100, Duration.ofSeconds(300)));
    assertThat(
            ManagerConfig.parse(
                    "m.toml",
                    "max_connections = 10\nmax_concurrent_calls_per_connection = 5\n"
                        + "idle_timeout_secs = 60")
                .listener())
        .isEqualTo(new ListenerLimits(10, 5, Duration.ofSeconds(60)));
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "max_connections = 0"))
        .hasMessage("m.toml: max_connections = 0 (expected: an integer from 1 to 1000000)");
  }

  @Test
  void expiryAndResyncFollowTheEngineTimeoutWhenUnset() {
    ManagerConfig config = ManagerConfig.parse("m.toml", "engine_heartbeat_timeout_secs = 30");

    assertThat(config.engineExpiry()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.startupResync()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ManagerConfig.defaults().engineExpiry()).isEqualTo(Duration.ofSeconds(100));
    assertThat(ManagerConfig.defaults().startupResync()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anExpiryNotLongerThanTheHeartbeatTimeoutIsRefused() {
    assertThatThrownBy(
            () ->
                ManagerConfig.parse(
                    "m.toml", "engine_heartbeat_timeout_secs = 30\nengine_expiry_secs = 30"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("m.toml: engine_expiry_secs = 30 (expected: an integer from 31 to 864000)");
    assertThat(
            ManagerConfig.parse("m.toml", "startup_resync_secs = 0\nengine_expiry_secs = 11")
                .startupResync())
        .isZero();
  }

  @Test
  void plaintextOnANonLoopbackAddressIsRefusedUnlessAllowed() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "listen_address = \"0.0.0.0:9000\""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "m.toml: listen_address = \"0.0.0.0:9000\" is not a loopback address, and without [tls]"
                + " every caller of ManagerService would be an unauthenticated administrator"
                + " (expected: a loopback address such as 127.0.0.1:9000, a [tls] table with"
                + " cert_path, key_path and ca_cert_path, or allow_plaintext = true to accept the"
                + " risk)");
    assertThatThrownBy(
            () ->
                ManagerConfig.parse(
                    "m.toml", "listen_address = \"0.0.0.0:9000\"\n[kubernetes]\nenabled = true"))
        .hasMessageContaining("is not a loopback address");

    ManagerConfig allowed =
        ManagerConfig.parse("m.toml", "listen_address = \"0.0.0.0:9000\"\nallow_plaintext = true");
    assertThat(allowed.allowPlaintext()).isTrue();
    assertThat(allowed.listenAddress()).isEqualTo(new HostPort("0.0.0.0", 9000));
    assertThat(ManagerConfig.parse("m.toml", "listen_address = \"localhost:9000\"").tls()).isNull();
    assertThat(ManagerConfig.parse("m.toml", "listen_address = \"[::1]:9000\"").tls()).isNull();
  }

  @Test
  void tlsNamesTheManagersCertificateAndAllowsAnyListenAddress(@TempDir Path dir) throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), Clock.systemUTC());
    ca.issue(
            new CallerIdentity(Role.MANAGER, "manager"),
            List.of(),
            List.of(),
            Duration.ofDays(5),
            Clock.systemUTC())
        .writeTo(dir, false);
    String tls =
        "[tls]\ncert_path = \"%s\"\nkey_path = \"%s\"\nca_cert_path = \"%s\"\n"
            .formatted(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));

    ManagerConfig config =
        ManagerConfig.parse("m.toml", "listen_address = \"0.0.0.0:9000\"\n" + tls);

    assertThat(config.tls().certPath()).isEqualTo(dir.resolve("tls.crt"));
    assertThat(config.tls().caCertPath()).isEqualTo(dir.resolve("ca.crt"));

    String swapped =
        "[tls]\ncert_path = \"%s\"\nkey_path = \"%s\"\nca_cert_path = \"%s\"\n"
            .formatted(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("tls.crt"));
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", swapped))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "m.toml: [tls] "
                + dir.resolve("tls.crt")
                + ": CN=manager:manager, O=wruntime is not a CA certificate (expected: the CA's"
                + " certificate, basicConstraints CA:true, e.g. the ca.crt written by wr-cli cert)");
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "[tls]\ncert_path = \"x\""))
        .hasMessageStartingWith("m.toml: tls.cert_path = \"x\" is not a readable file");
  }

  @Test
  void aListenAddressWithoutPortNamesFileKeyAndValue() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "listen_address = \"0.0.0.0\""))
        .hasMessage(
            "m.toml: listen_address = \"0.0.0.0\" has no port (expected: host:port, e.g."
                + " 127.0.0.1:9000)");
  }

  @Test
  void aTimeoutOutOfRangeNamesTheRange() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "health_check_interval_secs = 0"))
        .hasMessage(
            "m.toml: health_check_interval_secs = 0 (expected: an integer from 1 to 86400)");
    assertThatThrownBy(
            () -> ManagerConfig.parse("m.toml", "engine_heartbeat_timeout_secs = \"10\""))
        .hasMessage("m.toml: engine_heartbeat_timeout_secs = \"10\" (expected: an integer)");
  }

  @Test
  void settingsOfTheDatabaseStoreAreRefusedAsNotYetSupported() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "[database]\nurl = \"postgres://x\""))
        .hasMessage(
            "m.toml: database is not supported by this manager yet (expected: no database; the"
                + " registry is kept in memory)");
  }

  @Test
  void theOriginalsLocalProxyAddressIsAcceptedAsUrlOrHostPortWithAWarning() {
    ManagerConfig url =
        ManagerConfig.parse("m.toml", "local_proxy_address = \"http://127.0.0.1:9001\"");
    ManagerConfig hostPort =
        ManagerConfig.parse("m.toml", "local_proxy_address = \"127.0.0.1:9001\"");

    assertThat(url.localProxyAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(hostPort.localProxyAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(url.warnings())
        .containsExactly(
            "m.toml: local_proxy_address = \"127.0.0.1:9001\" is accepted but unused: this manager"
                + " runs no schedules yet");
    assertThat(ManagerConfig.defaults().localProxyAddress()).isNull();
    assertThat(ManagerConfig.defaults().warnings()).isEmpty();
  }

  @Test
  void aMalformedLocalProxyAddressNamesTheKey() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "local_proxy_address = \"9001\""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "m.toml: local_proxy_address = \"9001\" has no port (expected: host:port or"
                + " http://host:port, e.g. 127.0.0.1:9001)");
    assertThatThrownBy(
            () -> ManagerConfig.parse("m.toml", "local_proxy_address = \"ftp://127.0.0.1:9001\""))
        .hasMessageStartingWith(
            "m.toml: local_proxy_address = \"ftp://127.0.0.1:9001\" has scheme ftp");
  }

  @Test
  void theSchedulersKeysAreStillRefused() {
    assertThatThrownBy(() -> ManagerConfig.parse("m.toml", "scheduler_lease_secs = 30"))
        .hasMessage(
            "m.toml: scheduler_lease_secs is not supported by this manager yet (expected: no"
                + " scheduler_lease_secs; the registry is kept in memory)");
  }

  @Test
  void sharedNodeIdentitiesAreNodeNames() {
    assertThat(
            ManagerConfig.parse("m.toml", "shared_node_identities = [\"wruntime-nodes\"]")
                .sharedNodeIdentities())
        .containsExactly("wruntime-nodes");
    assertThat(ManagerConfig.defaults().sharedNodeIdentities()).isEmpty();
    assertThatThrownBy(
            () -> ManagerConfig.parse("m.toml", "shared_node_identities = [\"Not A Name\"]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("m.toml: shared_node_identities has identity name: Not A Name");
  }
}
