package io.wruntime.engine.host.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.OutboundException;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorCodeAbiTest {
  private final AbiFixture abi = new AbiFixture(GuestInstance.noOutbound());

  @Test
  void casesAreInWitOrder() {
    assertThat(HttpErrorCode.values()).hasSize(39);
    assertThat(HttpErrorCode.DNS_TIMEOUT.ordinal()).isZero();
    assertThat(HttpErrorCode.TLS_ALERT_RECEIVED.ordinal()).isEqualTo(14);
    assertThat(HttpErrorCode.HTTP_REQUEST_URI_INVALID.ordinal()).isEqualTo(19);
    assertThat(HttpErrorCode.HTTP_RESPONSE_BODY_SIZE.ordinal()).isEqualTo(28);
    assertThat(HttpErrorCode.HTTP_RESPONSE_TIMEOUT.ordinal()).isEqualTo(33);
    assertThat(HttpErrorCode.INTERNAL_ERROR.ordinal()).isEqualTo(38);
    assertThat(ErrorCodeValue.witName(HttpErrorCode.HTTP_REQUEST_URI_TOO_LONG))
        .isEqualTo("http-request-uri-too-long");
  }

  @Test
  void caseWithoutDetailIsItsDiscriminantAndAnEmptyPayload() {
    abi.memory.writeBytes("test", 64, filled(32, 0xAA));

    ErrorCodeAbi.lower(abi.memory, 64, new ErrorCodeValue(HttpErrorCode.CONNECTION_REFUSED, "x"));

    byte[] expected = new byte[32];
    expected[0] = 6;
    assertThat(abi.bytes(64, 32)).isEqualTo(expected);
  }

  @Test
  void internalErrorCarriesItsMessageAsSomeString() {
    abi.memory.writeBytes("test", 64, filled(32, 0xAA));

    ErrorCodeAbi.lower(
        abi.memory, 64, new ErrorCodeValue(HttpErrorCode.INTERNAL_ERROR, "upstream gone"));

    byte[] area = abi.bytes(64, 32);
    int ptr = abi.i32(64 + 12);
    byte[] expected = new byte[32];
    expected[0] = 38;
    expected[8] = 1;
    System.arraycopy(AbiFixture.le(ptr), 0, expected, 12, 4);
    System.arraycopy(AbiFixture.le(13), 0, expected, 16, 4);
    assertThat(area).isEqualTo(expected);
    assertThat(ptr).isGreaterThanOrEqualTo(4096);
    assertThat(abi.stringAt(64 + 12)).isEqualTo("upstream gone");
  }

  @Test
  void internalErrorWithoutMessageIsNone() {
    ErrorCodeAbi.lower(abi.memory, 64, new ErrorCodeValue(HttpErrorCode.INTERNAL_ERROR, null));

    assertThat(abi.u8(64)).isEqualTo(38);
    assertThat(abi.u8(72)).isZero();
  }

  @Test
  void areaMustBeAlignedTo8() {
    assertThatThrownBy(
            () ->
                ErrorCodeAbi.lower(
                    abi.memory, 68, new ErrorCodeValue(HttpErrorCode.DNS_TIMEOUT, null)))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("not aligned to 8");
  }

  @Test
  void liftReadsTheFlatPayloadOfEachShape() {
    abi.put(512, "denied!");
    assertThat(ErrorCodeAbi.lift(abi.memory, new long[] {38, 1, 512, 7, 0, 0, 0}, 0))
        .isEqualTo(new ErrorCodeValue(HttpErrorCode.INTERNAL_ERROR, "denied!"));
    // option<u64> puts its value in the i64 slot
    assertThat(ErrorCodeAbi.lift(abi.memory, new long[] {28, 1, 123_456_789_012L, 0, 0, 0, 0}, 0))
        .isEqualTo(new ErrorCodeValue(HttpErrorCode.HTTP_RESPONSE_BODY_SIZE, "123456789012"));
    // option<field-size-payload>: some(field-name some("denied!"), field-size some(9))
    assertThat(ErrorCodeAbi.lift(abi.memory, new long[] {22, 1, 1, 512, 7, 1, 9}, 0).detail())
        .isEqualTo("field-name denied!, field-size 9");
    // DNS-error: rcode none, info-code some(3)
    assertThat(ErrorCodeAbi.lift(abi.memory, new long[] {1, 0, 0, 0, 1, 3, 0}, 0).detail())
        .isEqualTo("info-code 3");
    assertThat(ErrorCodeAbi.lift(abi.memory, new long[] {7, 0, 0, 0, 0, 0, 0}, 0))
        .isEqualTo(new ErrorCodeValue(HttpErrorCode.CONNECTION_TERMINATED, null));
  }

  @Test
  void liftRejectsBadDiscriminantsAndPointers() {
    assertThatThrownBy(() -> ErrorCodeAbi.lift(abi.memory, new long[] {39, 0, 0, 0, 0, 0, 0}, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("discriminant 39");
    assertThatThrownBy(() -> ErrorCodeAbi.lift(abi.memory, new long[] {38, 2, 0, 0, 0, 0, 0}, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("option discriminant 2");
    assertThatThrownBy(
            () -> ErrorCodeAbi.lift(abi.memory, new long[] {38, 1, 0xFFFF_FF00L, 4, 0, 0, 0}, 0))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("outside guest memory");
  }

  @Test
  void failuresMapToTheCodeOfTheirOutboundException() {
    OutboundException refused = new OutboundException(HttpErrorCode.CONNECTION_REFUSED, "no");
    assertThat(
            ErrorCodeValue.of(
                new ExecutionException(new CompletionException(refused)),
                HttpErrorCode.INTERNAL_ERROR))
        .isEqualTo(new ErrorCodeValue(HttpErrorCode.CONNECTION_REFUSED, "no"));
    assertThat(ErrorCodeValue.of(new IllegalStateException("odd"), HttpErrorCode.INTERNAL_ERROR))
        .isEqualTo(new ErrorCodeValue(HttpErrorCode.INTERNAL_ERROR, "odd"));
  }

  @Test
  void engineStatusFollowsTheKindOfError() {
    assertThat(ErrorCodeAbi.engineStatus(HttpErrorCode.HTTP_REQUEST_DENIED)).isEqualTo(403);
    assertThat(ErrorCodeAbi.engineStatus(HttpErrorCode.HTTP_REQUEST_BODY_SIZE)).isEqualTo(413);
    assertThat(ErrorCodeAbi.engineStatus(HttpErrorCode.CONNECTION_TIMEOUT)).isEqualTo(504);
    assertThat(ErrorCodeAbi.engineStatus(HttpErrorCode.CONNECTION_REFUSED)).isEqualTo(502);
    assertThat(ErrorCodeAbi.engineStatus(HttpErrorCode.INTERNAL_ERROR)).isEqualTo(500);
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }
}
