package io.wruntime.manager.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.wruntime.proto.v1.RegisterEngineRequest;

/**
 * The manager's check of {@code RegisterEngine} requests on arbitrary request bytes (what any
 * client may send): a request that decodes is accepted or refused with {@code INVALID_ARGUMENT}
 * naming the field; nothing else escapes, whatever the schemas, addresses or names inside.
 */
class RegisterEngineRequestFuzzTest {
  @FuzzTest
  void validate(byte[] input) {
    RegisterEngineRequest request;
    try {
      request = RegisterEngineRequest.parseFrom(input);
    } catch (InvalidProtocolBufferException e) {
      return; // gRPC fails such a call before it reaches the service
    }
    try {
      RequestValidator.registerEngine(request);
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("expected");
    }
  }
}
