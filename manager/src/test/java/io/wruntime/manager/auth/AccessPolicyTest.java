package io.wruntime.manager.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AccessPolicyTest {
  private static final CallerIdentity ADMIN = new CallerIdentity(Role.ADMIN, "alice");
  private static final CallerIdentity NODE = new CallerIdentity(Role.NODE, "node-a");
  private static final CallerIdentity MANAGER = new CallerIdentity(Role.MANAGER, "manager-0");

  private static final Set<ManagerCall> ADMIN_ONLY =
      EnumSet.of(
          ManagerCall.UPSERT_ROUTING_RULE,
          ManagerCall.DELETE_ROUTING_RULE,
          ManagerCall.REMOVE_ENGINE,
          ManagerCall.SET_SECRET,
          ManagerCall.DELETE_SECRET,
          ManagerCall.LIST_SECRETS,
          ManagerCall.UPSERT_SCHEDULE,
          ManagerCall.DELETE_SCHEDULE,
          ManagerCall.LIST_SCHEDULES);
  private static final Set<ManagerCall> ENGINE_LIFECYCLE =
      EnumSet.of(ManagerCall.REGISTER_ENGINE, ManagerCall.HEARTBEAT, ManagerCall.DEREGISTER_ENGINE);

  /** Every (identity, call) with whether it is allowed: the table of docs/grpc-api.md. */
  static Stream<Arguments> table() {
    return Arrays.stream(ManagerCall.values())
        .flatMap(
            call ->
                Stream.of(
                    Arguments.of(CallerIdentity.LOCAL, call, true),
                    Arguments.of(ADMIN, call, true),
                    Arguments.of(NODE, call, !ADMIN_ONLY.contains(call)),
                    Arguments.of(
                        MANAGER,
                        call,
                        !ADMIN_ONLY.contains(call) && !ENGINE_LIFECYCLE.contains(call))));
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("table")
  void decidesEveryCallForEveryRole(CallerIdentity caller, ManagerCall call, boolean allowed) {
    assertThat(AccessPolicy.denial(caller, call).isEmpty()).isEqualTo(allowed);
  }

  @Test
  void aDenialNamesTheCallTheCallerAndTheRoleItNeeds() {
    assertThat(AccessPolicy.denial(NODE, ManagerCall.SET_SECRET))
        .hasValue(
            "SetSecret: caller node/node-a may not make this call (expected: an admin identity)");
    assertThat(AccessPolicy.denial(MANAGER, ManagerCall.REGISTER_ENGINE))
        .hasValue(
            "RegisterEngine: caller manager/manager-0 may not make this call (expected: a node"
                + " identity (a proxy) or an admin identity)");
  }

  @Test
  void nodesActOnlyOnTheEnginesOfTheirOwnNode() {
    assertThat(AccessPolicy.engineScope(NODE)).hasValue("node-a");
    assertThat(AccessPolicy.engineScope(ADMIN)).isEmpty();
    assertThat(AccessPolicy.engineScope(CallerIdentity.LOCAL)).isEmpty();
    assertThat(AccessPolicy.registrationNodeDenial(NODE, "node-a")).isEmpty();
    assertThat(AccessPolicy.registrationNodeDenial(ADMIN, "node-b")).isEmpty();
    assertThat(AccessPolicy.registrationNodeDenial(NODE, "node-b"))
        .hasValue(
            "RegisterEngine: node.name: \"node-b\" (expected: \"node-a\", the node named by the"
                + " caller's certificate node/node-a)");
  }

  @Test
  void aSharedNodeCertificateActsForEveryNodeButIsNoAdmin() {
    Set<String> shared = Set.of("node-a");

    assertThat(AccessPolicy.engineScope(NODE, shared)).isEmpty();
    assertThat(AccessPolicy.registrationNodeDenial(NODE, "node-b", shared)).isEmpty();
    assertThat(AccessPolicy.engineScope(NODE, Set.of("wruntime-nodes"))).hasValue("node-a");
    assertThat(AccessPolicy.engineScope(ADMIN, Set.of("node-a"))).isEmpty();
    assertThat(AccessPolicy.denial(NODE, ManagerCall.SET_SECRET)).isPresent();
  }

  @Test
  void theTableNamesEveryMethodOfTheService() {
    assertThat(Arrays.stream(ManagerCall.values()).map(ManagerCall::method))
        .containsExactlyInAnyOrderElementsOf(
            ManagerServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(m -> ((MethodDescriptor<?, ?>) m).getBareMethodName())
                .toList());
  }
}
