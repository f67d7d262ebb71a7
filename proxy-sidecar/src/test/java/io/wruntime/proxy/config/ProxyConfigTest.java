package io.wruntime.proxy.config;

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

class ProxyConfigTest {
  private static final String MANAGER = "manager_address = \"http://127.0.0.1:9000\"\n";

  @Test
  void defaultsAreTheReferenceValues() {
    ProxyConfig config = ProxyConfig.parse("p.toml", MANAGER + "[node]\nname = \"node-a\"\n");

    assertThat(config.listenAddress()).isEqualTo(new HostPort("127.0.0.1", 9001));
    assertThat(config.controlAddress()).isEqualTo(new HostPort("127.0.0.1", 9002));
    assertThat(config.managerAddress()).isEqualTo(new HostPort("127.0.0.1", 9000));
    assertThat(config.adminAddress()).isNull();
    assertThat(config.node().name()).isEqualTo("node-a");
    assertThat(config.node().peerPort()).isEqualTo(9443);
    assertThat(config.node().peerListenAddress()).isEqualTo(new HostPort("127.0.0.1", 9443));
    assertThat(config.node().proxyAddress()).isNull();
    assertThat(config.routingTableTtl()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.circuitBreaker())
        .isEqualTo(new ProxyConfig.CircuitBreaker(5, Duration.ofSeconds(30), false));
    assertThat(config.egress()).isEqualTo(new ProxyConfig.Egress(false, List.of(), false));
    assertThat(config.validation())
        .isEqualTo(new ProxyConfig.Validation(ProxyConfig.ValidationMode.ENFORCE, 4 * 1024 * 1024));
    assertThat(config.timeouts())
        .isEqualTo(
            new ProxyConfig.Timeouts(
                Duration.ofMillis(2000), Duration.ofSeconds(60), Duration.ofSeconds(30)));
    assertThat(config.limits()).isEqualTo(ProxyConfig.Limits.DEFAULTS);
    assertThat(config.node().tls()).isNull();
  }

  @Test
  void limitsAreReadAndChecked() {
    ProxyConfig config =
        ProxyConfig.parse(
            "p.toml",
            MANAGER
                + """
                [limits]
                max_internal_connections = 10
                max_peer_connections = 20
                max_control_connections = 30
                max_requests_per_peer = 40
                max_requests_per_module = 50
                """);

    assertThat(config.limits()).isEqualTo(new ProxyConfig.Limits(10, 20, 30, 40, 50));
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[limits]\nmax_requests_per_peer = 0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "p.toml: limits.max_requests_per_peer = 0 (expected: an integer from 1 to 1000000)");
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[limits]\nmax_connections = 5\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: limits.max_connections is not a known key");
  }

  @Test
  void everyKeyIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("proxy.toml");
    Files.writeString(
        file,
        """
        listen_address = "127.0.0.1:9101"
        control_address = "[::1]:9102"
        manager_address = "10.0.0.5:9000"
        admin_address = "0.0.0.0:9190"
        [node]
        name = "pod-7.shop"
        proxy_address = "10.0.3.7:9443"
        peer_port = 9444
        peer_listen_address = "0.0.0.0:9444"
        [cache]
        routing_table_ttl_secs = 5
        [circuit_breaker]
        failure_threshold = 3
        open_duration_secs = 10
        count_server_errors = true
        [egress]
        enabled = true
        allowed_domains = ["api.stripe.com", "*.Example.com:8443"]
        [validation]
        mode = "off"
        max_body_bytes = 1024
        [timeouts]
        connect_ms = 500
        idle_secs = 20
        request_secs = 5
        """);

    ProxyConfig config = ProxyConfig.load(file);

    assertThat(config.source()).isEqualTo(file.toString());
    assertThat(config.listenAddress()).isEqualTo(new HostPort("127.0.0.1", 9101));
    assertThat(config.controlAddress()).hasToString("[::1]:9102");
    assertThat(config.managerAddress()).isEqualTo(new HostPort("10.0.0.5", 9000));
    assertThat(config.adminAddress()).isEqualTo(new HostPort("0.0.0.0", 9190));
    assertThat(config.node())
        .isEqualTo(
            new ProxyConfig.Node(
                "pod-7.shop",
                new HostPort("10.0.3.7", 9443),
                9444,
                new HostPort("0.0.0.0", 9444),
                null));
    assertThat(config.routingTableTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.circuitBreaker())
        .isEqualTo(new ProxyConfig.CircuitBreaker(3, Duration.ofSeconds(10), true));
    assertThat(config.egress())
        .isEqualTo(
            new ProxyConfig.Egress(true, List.of("api.stripe.com", "*.example.com:8443"), false));
    assertThat(config.validation())
        .isEqualTo(new ProxyConfig.Validation(ProxyConfig.ValidationMode.OFF, 1024));
    assertThat(config.timeouts())
        .isEqualTo(
            new ProxyConfig.Timeouts(
                Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofSeconds(5)));
  }

  @Test
  void thePeerListenerFollowsThePeerPort() {
    ProxyConfig config = ProxyConfig.parse("p.toml", MANAGER + "[node]\npeer_port = 9555\n");

    assertThat(config.node().peerListenAddress()).isEqualTo(new HostPort("127.0.0.1", 9555));
  }

  @Test
  void theManagerAddressIsRequired() {
    assertThatThrownBy(() -> ProxyConfig.parse("p.toml", ""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "p.toml: manager_address is missing (expected: the manager's address, e.g."
                + " http://127.0.0.1:9000)");
  }

  @Test
  void unknownKeysAreRejectedListingTheKnownOnes() {
    assertThatThrownBy(() -> ProxyConfig.parse("p.toml", MANAGER + "listen_adress = \"x\""))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: listen_adress is not a known key (expected one of:")
        .hasMessageContaining("listen_address");
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[circuit_breaker]\nthreshold = 5\n"))
        .hasMessage(
            "p.toml: circuit_breaker.threshold is not a known key (expected one of:"
                + " count_server_errors, failure_threshold, open_duration_secs)");
  }

  @Test
  void internalListenersMustBeLoopbackUnlessAllowed() {
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "listen_address = \"0.0.0.0:9001\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "p.toml: listen_address = \"0.0.0.0:9001\" is not a loopback address (expected:"
                + " 127.0.0.1, ::1 or localhost, or allow_non_loopback_internal = true)");
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "control_address = \"10.1.2.3:9002\"\n"))
        .hasMessageStartingWith("p.toml: control_address = \"10.1.2.3:9002\" is not a loopback");

    ProxyConfig allowed =
        ProxyConfig.parse(
            "p.toml",
            MANAGER + "allow_non_loopback_internal = true\nlisten_address = \"0.0.0.0:9001\"\n");
    assertThat(allowed.listenAddress()).isEqualTo(new HostPort("0.0.0.0", 9001));
    assertThat(
            ProxyConfig.parse("p.toml", MANAGER + "listen_address = \"localhost:9001\"\n")
                .listenAddress()
                .host())
        .isEqualTo("localhost");
  }

  @Test
  void wrongValuesNameTheKeyTheValueAndWhatWasExpected() {
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[validation]\nmode = \"strict\"\n"))
        .hasMessage("p.toml: validation.mode = \"strict\" (expected: \"enforce\" or \"off\")");
    assertThatThrownBy(
            () ->
                ProxyConfig.parse("p.toml", MANAGER + "[circuit_breaker]\nfailure_threshold = 0\n"))
        .hasMessage(
            "p.toml: circuit_breaker.failure_threshold = 0 (expected: an integer from 1 to 1000000)");
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    "p.toml", MANAGER + "[egress]\nallowed_domains = [\"https://x.com\"]\n"))
        .hasMessageStartingWith(
            "p.toml: egress.allowed_domains contains \"https://x.com\" (expected:");
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    "p.toml", MANAGER + "[egress]\nallowed_domains = [\"127.0.0.1:9091\"]\n"))
        .hasMessage(
            "p.toml: egress.allowed_domains contains \"127.0.0.1:9091\" is an IP address"
                + " (expected: a host name such as api.example.com or *.example.com, optionally"
                + " with a port (api.example.com:8443), without scheme or path; IP addresses only"
                + " with [egress] allow_ip_literals = true)");
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    "p.toml",
                    MANAGER
                        + "[egress]\nallow_ip_literals = true\nallowed_domains = [\"localhost\"]\n"))
        .hasMessageStartingWith(
            "p.toml: egress.allowed_domains contains \"localhost\" is a loopback host name");
    assertThatThrownBy(() -> ProxyConfig.parse("p.toml", "manager_address = \"https://m:9000\"\n"))
        .hasMessage(
            "p.toml: manager_address = \"https://m:9000\" has scheme https (expected: host:port or"
                + " http://host:port, e.g. 127.0.0.1:9100)");
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[timeouts]\nidle_secs = \"60\"\n"))
        .hasMessage("p.toml: timeouts.idle_secs = \"60\" (expected: an integer)");
    assertThatThrownBy(() -> ProxyConfig.parse("p.toml", MANAGER + "[node]\nname = \"a b\"\n"))
        .hasMessageStartingWith("p.toml: node.name = \"a b\" (expected: 1-253 characters");
  }

  @Test
  void featuresThisProxyDoesNotHaveYetAreRefused() {
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[external]\nlisten_address = \"x\"\n"))
        .hasMessageStartingWith("p.toml: external is not supported by this proxy yet");
  }

  @Test
  void nodeTlsNamesTheMissingOrUnreadableFile() {
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[node.tls]\ncert_path = \"x\"\n"))
        .hasMessage(
            "p.toml: node.tls.cert_path = \"x\" is not a readable file (expected: a PEM file)");
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + "[node.tls]\ncert_pem = \"x\"\n"))
        .hasMessageContaining("cert_pem");
  }

  @Test
  void nodeTlsMustHoldANodeCertificateOfItsCa(@TempDir Path dir) throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), Clock.systemUTC());
    for (Role role : List.of(Role.NODE, Role.ADMIN)) {
      ca.issue(
              new CallerIdentity(role, "a"),
              List.of(),
              List.of(),
              Duration.ofDays(5),
              Clock.systemUTC())
          .writeTo(dir.resolve(role.label()), false);
    }
    String table =
        "[node]\nname = \"a\"\n[node.tls]\ncert_path = \"%1$s/tls.crt\"\n"
            + "key_path = \"%1$s/tls.key\"\nca_cert_path = \"%1$s/ca.crt\"\n";

    ProxyConfig config =
        ProxyConfig.parse("p.toml", MANAGER + table.formatted(dir.resolve("node")));

    assertThat(config.node().tls().certPath()).isEqualTo(dir.resolve("node/tls.crt"));
    assertThatThrownBy(
            () -> ProxyConfig.parse("p.toml", MANAGER + table.formatted(dir.resolve("admin"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "p.toml: node.tls.cert_path = \""
                + dir.resolve("admin/tls.crt")
                + "\" names admin/a (expected: a certificate of role node, e.g. from wr-cli cert"
                + " generate --role node)");
  }

  @Test
  void theNodesProxyAddressIsAUrlOrHostPortAsInTheOriginalsFiles() {
    ProxyConfig url =
        ProxyConfig.parse(
            "p.toml", MANAGER + "[node]\nname = \"a\"\nproxy_address = \"http://10.0.3.7:9443\"\n");
    ProxyConfig hostPort =
        ProxyConfig.parse(
            "p.toml", MANAGER + "[node]\nname = \"a\"\nproxy_address = \"10.0.3.7:9443\"\n");

    assertThat(url.node().proxyAddress()).isEqualTo(new HostPort("10.0.3.7", 9443));
    assertThat(hostPort.node().proxyAddress()).isEqualTo(new HostPort("10.0.3.7", 9443));
    assertThatThrownBy(
            () ->
                ProxyConfig.parse(
                    "p.toml",
                    MANAGER
                        + "[node]\nname = \"a\"\nproxy_address = \"https://10.0.3.7:9443/x\"\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: node.proxy_address = \"https://10.0.3.7:9443/x\"");
  }

  @Test
  void ipAddressesAreAllowedEgressEntriesOnlyWithAllowIpLiterals() {
    ProxyConfig config =
        ProxyConfig.parse(
            "p.toml",
            MANAGER
                + "[egress]\nallow_ip_literals = true\n"
                + "allowed_domains = [\"10.0.0.5:8080\", \"[FD00::1]\"]\n");

    assertThat(config.egress())
        .isEqualTo(new ProxyConfig.Egress(false, List.of("10.0.0.5:8080", "[fd00::1]"), true));
  }
}
