package io.wruntime.manager;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import io.wruntime.proto.v1.NodeInfo;
import io.wruntime.proto.v1.RegisterEngineRequest;

/** Requests and schemas the manager's tests share. */
public final class Fixtures {
  private Fixtures() {}

  public static ModuleRef ref(String namespace, String name, String version) {
    return ModuleRef.newBuilder().setNamespace(namespace).setName(name).setVersion(version).build();
  }

  /** A FileDescriptorSet with one service {@code package.service} and the given methods. */
  public static ByteString schema(String pkg, String service, String... methods) {
    ServiceDescriptorProto.Builder svc = ServiceDescriptorProto.newBuilder().setName(service);
    for (String method : methods) {
      svc.addMethod(
          MethodDescriptorProto.newBuilder()
              .setName(method)
              .setInputType("." + pkg + ".Message")
              .setOutputType("." + pkg + ".Message"));
    }
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName(pkg + ".proto")
            .setPackage(pkg)
            .setSyntax("proto3")
            .addMessageType(DescriptorProto.newBuilder().setName("Message"))
            .addService(svc)
            .build();
    return FileDescriptorSet.newBuilder().addFile(file).build().toByteString();
  }

  public static ModuleRegistration module(ModuleRef ref, ByteString schema) {
    return ModuleRegistration.newBuilder().setRef(ref).setSchema(schema).build();
  }

  /** An engine on {@code node} with a peer address and loopback listener, and these modules. */
  public static RegisterEngineRequest engine(
      String engineId, String node, ModuleRegistration... modules) {
    RegisterEngineRequest.Builder request =
        RegisterEngineRequest.newBuilder()
            .setEngineId(engineId)
            .setEngineAddress("http://127.0.0.1:9100")
            .setNode(NodeInfo.newBuilder().setName(node).setProxyAddress("10.0.0.1:9443"));
    for (ModuleRegistration module : modules) {
      request.addModules(module);
    }
    return request.build();
  }

  public static EngineHeartbeat heartbeat(String engineId, ModuleRef ref, boolean healthy) {
    return EngineHeartbeat.newBuilder()
        .setEngineId(engineId)
        .addModules(
            ModuleHealth.newBuilder()
                .setRef(ref)
                .setHealthy(healthy)
                .setDetail(healthy ? "" : "GET /__health: 503"))
        .build();
  }
}
