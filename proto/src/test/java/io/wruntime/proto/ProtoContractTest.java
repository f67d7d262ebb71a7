package io.wruntime.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Timestamp;
import io.grpc.MethodDescriptor.MethodType;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.NodeServiceGrpc;
import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.WruntimeProto;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProtoContractTest {

  private static final List<String> MANAGER_METHODS =
      List.of(
          "RegisterEngine",
          "DeregisterEngine",
          "Heartbeat",
          "GetRoutingTable",
          "WatchRoutingTable",
          "UpsertRoutingRule",
          "DeleteRoutingRule",
          "GetSchema",
          "ListEngines",
          "GetEngine",
          "RemoveEngine",
          "ListServices",
          "GetService",
          "SetSecret",
          "DeleteSecret",
          "ListSecrets",
          "UpsertSchedule",
          "DeleteSchedule",
          "ListSchedules",
          "ListManagers");

  @Test
  void managerServiceOffersTheControlPlaneCallsWithOnlyTheWatchStreaming() {
    Map<String, MethodType> types =
        ManagerServiceGrpc.getServiceDescriptor().getMethods().stream()
            .collect(
                Collectors.toMap(
                    io.grpc.MethodDescriptor::getBareMethodName,
                    io.grpc.MethodDescriptor::getType));

    assertThat(types).containsOnlyKeys(MANAGER_METHODS);
    assertThat(types)
        .allSatisfy(
            (name, type) ->
                assertThat(type)
                    .as(name)
                    .isEqualTo(
                        name.equals("WatchRoutingTable")
                            ? MethodType.SERVER_STREAMING
                            : MethodType.UNARY));
    assertThat(ManagerServiceGrpc.getWatchRoutingTableMethod().getFullMethodName())
        .isEqualTo("wruntime.v1.ManagerService/WatchRoutingTable");
  }

  @Test
  void nodeServiceRelaysRegistrationAndHeartbeatsWithTheManagerMessages() {
    ServiceDescriptor node = WruntimeProto.getDescriptor().findServiceByName("NodeService");
    ServiceDescriptor manager = WruntimeProto.getDescriptor().findServiceByName("ManagerService");

    assertThat(node.getMethods())
        .extracting(MethodDescriptor::getName)
        .containsExactly("RegisterEngine", "DeregisterEngine", "Heartbeat");
    for (MethodDescriptor relayed : node.getMethods()) {
      MethodDescriptor upstream = manager.findMethodByName(relayed.getName());
      assertThat(relayed.isClientStreaming() || relayed.isServerStreaming())
          .as(relayed.getName())
          .isFalse();
      assertThat(relayed.getInputType()).isEqualTo(upstream.getInputType());
      assertThat(relayed.getOutputType()).isEqualTo(upstream.getOutputType());
    }
    assertThat(NodeServiceGrpc.SERVICE_NAME).isEqualTo("wruntime.v1.NodeService");
  }

  @Test
  void routingTableRoundTripsThroughBytes() throws Exception {
    ModuleRef inventory =
        ModuleRef.newBuilder()
            .setNamespace("shop")
            .setName("inventory")
            .setVersion("1.4.0")
            .build();
    RoutingTable table =
        RoutingTable.newBuilder()
            .setVersion(42)
            .addRoutes(
                Route.newBuilder()
                    .setModule(inventory)
                    .setEngineId("engine-a")
                    .setAddress("http://127.0.0.1:9100")
                    .setNode("node-1")
                    .setNodeAddress("10.0.3.7:9443")
                    .setHealthy(true)
                    .setLocal(true))
            .addRoutes(
                Route.newBuilder()
                    .setModule(inventory)
                    .setEngineId("engine-b")
                    .setNode("node-2")
                    .setNodeAddress("10.0.3.8:9443"))
            .addRules(
                RoutingRule.newBuilder()
                    .setNamespace("shop")
                    .setModule("inventory")
                    .setDefaultVersion("^1.4")
                    .setUpdatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000)))
            .build();

    RoutingTable parsed = RoutingTable.parseFrom(table.toByteArray());

    assertThat(parsed).isEqualTo(table);
    assertThat(parsed.getRoutes(1).getHealthy()).isFalse();
    assertThat(parsed.getRules(0).getRoutesList()).isEmpty();
  }

  @Test
  void routingTableFromANewerPeerStillParses() throws Exception {
    RoutingTable table = RoutingTable.newBuilder().setVersion(7).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.writeTo(bytes);
    // Field 1000, wire type 2 (length-delimited), 3 bytes: a field this build does not know.
    bytes.write(new byte[] {(byte) 0xc2, 0x3e, 3, 'n', 'e', 'w'});

    RoutingTable parsed = RoutingTable.parseFrom(bytes.toByteArray());

    assertThat(parsed.getVersion()).isEqualTo(7);
    assertThat(parsed.getUnknownFields().hasField(1000)).isTrue();
  }

  @Test
  void everyServiceMethodMessageFieldAndEnumValueIsDocumented() throws Exception {
    FileDescriptorProto file =
        FileDescriptorSet.parseFrom(Files.readAllBytes(descriptorSet())).getFileList().stream()
            .filter(f -> f.getName().equals("wruntime.proto"))
            .findFirst()
            .orElseThrow();
    Set<List<Integer>> documented = new HashSet<>();
    for (SourceCodeInfo.Location location : file.getSourceCodeInfo().getLocationList()) {
      if (!location.getLeadingComments().isBlank()) {
        documented.add(location.getPathList());
      }
    }
    List<String> undocumented = new ArrayList<>();

    for (int s = 0; s < file.getServiceCount(); s++) {
      ServiceDescriptorProto service = file.getService(s);
      check(documented, undocumented, service.getName(), List.of(6, s));
      for (int m = 0; m < service.getMethodCount(); m++) {
        check(
            documented,
            undocumented,
            service.getName() + "." + service.getMethod(m).getName(),
            List.of(6, s, 2, m));
      }
    }
    for (int i = 0; i < file.getMessageTypeCount(); i++) {
      checkMessage(documented, undocumented, file.getMessageType(i), List.of(4, i));
    }
    for (int i = 0; i < file.getEnumTypeCount(); i++) {
      checkEnum(documented, undocumented, file.getEnumType(i), List.of(5, i));
    }

    assertThat(file.getServiceCount()).isEqualTo(2);
    assertThat(undocumented).as("elements of wruntime.proto without a leading comment").isEmpty();
  }

  private static void checkMessage(
      Set<List<Integer>> documented,
      List<String> undocumented,
      DescriptorProto message,
      List<Integer> path) {
    if (message.getOptions().getMapEntry()) {
      return; // synthesized by protoc for map fields: documented by the map field itself
    }
    check(documented, undocumented, message.getName(), path);
    for (int f = 0; f < message.getFieldCount(); f++) {
      check(
          documented,
          undocumented,
          message.getName() + "." + message.getField(f).getName(),
          append(path, 2, f));
    }
    for (int o = 0; o < message.getOneofDeclCount(); o++) {
      check(
          documented,
          undocumented,
          message.getName() + "." + message.getOneofDecl(o).getName(),
          append(path, 8, o));
    }
    for (int n = 0; n < message.getNestedTypeCount(); n++) {
      checkMessage(documented, undocumented, message.getNestedType(n), append(path, 3, n));
    }
    for (int e = 0; e < message.getEnumTypeCount(); e++) {
      checkEnum(documented, undocumented, message.getEnumType(e), append(path, 4, e));
    }
  }

  private static void checkEnum(
      Set<List<Integer>> documented,
      List<String> undocumented,
      EnumDescriptorProto type,
      List<Integer> path) {
    check(documented, undocumented, type.getName(), path);
    for (int v = 0; v < type.getValueCount(); v++) {
      check(documented, undocumented, type.getValue(v).getName(), append(path, 2, v));
    }
  }

  private static void check(
      Set<List<Integer>> documented, List<String> undocumented, String name, List<Integer> path) {
    if (!documented.contains(path)) {
      undocumented.add(name);
    }
  }

  private static List<Integer> append(List<Integer> path, int field, int index) {
    List<Integer> longer = new ArrayList<>(path);
    longer.add(field);
    longer.add(index);
    return longer;
  }

  private static Path descriptorSet() {
    Path path =
        Path.of(System.getProperty("wr.proto.descriptor", "target/descriptors/wruntime.binpb"));
    assertThat(path)
        .as("descriptor set written by protobuf-maven-plugin (run the build through Maven)")
        .exists();
    return path;
  }
}
