package io.wruntime.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.testing.TestCertificates;
import io.wruntime.common.tls.CertificateAuthority;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.manager.config.ManagerConfig;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;
import io.wruntime.proto.v1.RegisterEngineResponse;
import io.wruntime.proto.v1.RemoveEngineRequest;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.SetSecretRequest;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ManagerService over real TLS on loopback (Netty, as {@code wr-manager} serves it), with
 * certificates made by the code behind {@code wr-cli cert}.
 */
class ManagerTlsIT {
  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir Path dir;
  private CertificateAuthority ca;
  private Manager manager;
  private ManagedChannel channel;

  @BeforeEach
  void startManager() throws Exception {
    ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    Path certs = issue(ca, Role.MANAGER, "manager");
    manager =
        Manager.start(
            ManagerConfig.parse(
                "manager.toml",
                """
                listen_address = "127.0.0.1:0"
                [tls]
                """
                    + TestCertificates.tomlKeys(certs)));
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void aClientWithAnAdminCertificateIsServed() throws Exception {
    Path admin = issue(ca, Role.ADMIN, "alice");

    assertThat(call(mutualTls(admin, Set.of(Role.MANAGER))).getTable().getVersion())
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void aTlsClientWithoutACertificateIsUnauthenticated() throws Exception {
    Path admin = issue(ca, Role.ADMIN, "alice");
    TlsMaterial trust = material(admin);
    ChannelCredentials serverOnly =
        TlsChannelCredentials.newBuilder()
            .trustManager(trust.trustManager(Set.of(Role.MANAGER)))
            .build();

    assertThatThrownBy(() -> call(serverOnly))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .startsWith(
                      "no client certificate, or none issued by the manager's CA (expected: a"
                          + " client certificate issued by the manager's CA");
            });
  }

  @Test
  void aClientWithACertificateOfAnotherCaIsRefused() throws Exception {
    CertificateAuthority stranger =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    Path impostor = issue(stranger, Role.ADMIN, "mallory");
    // The impostor trusts our manager (it has our CA certificate): only its own certificate fails.
    Path genuine = issue(ca, Role.ADMIN, "alice");
    TlsMaterial own = material(impostor);
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder()
            .keyManager(own.keyManagerFactory().getKeyManagers())
            .trustManager(material(genuine).trustManager(Set.of(Role.MANAGER)))
            .build();

    assertThatThrownBy(() -> call(credentials))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void plaintextToTheTlsPortIsRefused() {
    assertThatThrownBy(() -> call(InsecureChannelCredentials.create()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aClientExpectingAManagerRefusesAServerWithAnotherRole() throws Exception {
    Path admin = issue(ca, Role.ADMIN, "alice");

    assertThatThrownBy(() -> call(mutualTls(admin, Set.of(Role.NODE))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void aNodeCertificateActsOnlyForItsOwnNodeAndIsNoAdmin() throws Exception {
    Path node = issue(ca, Role.NODE, "node-a");
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", manager.listenAddress().port(), mutualTls(node, Set.of(Role.MANAGER)))
            .build();
    ManagerServiceGrpc.ManagerServiceBlockingStub stub =
        ManagerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    RegisterEngineResponse own = stub.registerEngine(registration("e1", "node-a"));

    assertThat(own.getRoutingTableVersion()).isPositive();
    assertDenied(
        () -> stub.registerEngine(registration("e2", "node-b")),
        "RegisterEngine: node.name: \"node-b\" (expected: \"node-a\"");
    assertDenied(
        () ->
            stub.setSecret(
                SetSecretRequest.newBuilder()
                    .setNamespace("example")
                    .setKey("token")
                    .setValue("s3cr3t")
                    .build()),
        "SetSecret: caller node/node-a may not make this call (expected: an admin identity)");
    assertDenied(
        () -> stub.removeEngine(RemoveEngineRequest.newBuilder().setEngineId("e1").build()),
        "RemoveEngine: caller node/node-a may not make this call");
    assertDenied(
        () ->
            stub.upsertRoutingRule(
                UpsertRoutingRuleRequest.newBuilder()
                    .setRule(RoutingRule.newBuilder().setNamespace("example").setModule("echo"))
                    .build()),
        "UpsertRoutingRule: caller node/node-a may not make this call");
  }

  private static void assertDenied(Runnable call, String description) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).startsWith(description);
            });
  }

  private static RegisterEngineRequest registration(String engineId, String node) {
    return RegisterEngineRequest.newBuilder()
        .setEngineId(engineId)
        .setIncarnationId(engineId + "-1")
        .setNode(NodeInfo.newBuilder().setName(node).setProxyAddress("127.0.0.1:9443"))
        .setEngineAddress("http://127.0.0.1:9100")
        .build();
  }

  private io.wruntime.proto.v1.GetRoutingTableResponse call(ChannelCredentials credentials) {
    channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", manager.listenAddress().port(), credentials)
            .build();
    return ManagerServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getRoutingTable(GetRoutingTableRequest.getDefaultInstance());
  }

  private ChannelCredentials mutualTls(Path certs, Set<Role> serverRoles) {
    TlsMaterial material = material(certs);
    return TlsChannelCredentials.newBuilder()
        .keyManager(material.keyManagerFactory().getKeyManagers())
        .trustManager(material.trustManager(serverRoles))
        .build();
  }

  private static TlsMaterial material(Path certs) {
    return TlsMaterial.load(TestCertificates.files(certs));
  }

  private Path issue(CertificateAuthority authority, Role role, String name) throws Exception {
    return TestCertificates.issue(authority, role, name, dir).dir();
  }
}
