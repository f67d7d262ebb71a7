package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.http.HttpErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * The Canonical ABI of {@code wasi:http/types.error-code}, a 39-case variant.
 *
 * <p>In memory it is 32 bytes aligned to 8: the discriminant as a u8 at offset 0, the payload at
 * offset 8 (the largest payload, {@code option<field-size-payload>}, takes 24 bytes; {@code
 * option<u64>} sets the alignment). Every payload is options and records of options, so all-zero
 * payload bytes mean "every option none". {@code internal-error(option<string>)} with a detail is
 * {@code 1} at +8, the string pointer at +12 and its length at +16.
 *
 * <p>Flattened it is 7 values: the discriminant (i32), then the joined payload {@code [i32, i64,
 * i32, i32, i32, i32]} (the second slot is i64 because {@code option<u64>} puts its value there).
 */
final class ErrorCodeAbi {
  static final int SIZE = 32;
  static final int ALIGN = 8;
  static final int PAYLOAD = 8;

  /** Flat values of an error-code: discriminant plus six payload slots. */
  static final int FLAT = 7;

  /** Internal-error details given to the guest are cut to this many characters. */
  static final int MAX_DETAIL_CHARS = 512;

  private static final HttpErrorCode[] CASES = HttpErrorCode.values();

  private ErrorCodeAbi() {}

  /** Writes {@code value} at {@code ptr} (32 bytes, aligned to 8), allocating its string. */
  static void lower(GuestMemory memory, long ptr, ErrorCodeValue value) {
    memory.checkAligned("error-code", ptr, ALIGN, SIZE);
    byte[] detail = null;
    int detailPtr = 0;
    if (value.code() == HttpErrorCode.INTERNAL_ERROR && value.detail() != null) {
      detail = truncate(value.detail()).getBytes(StandardCharsets.UTF_8);
      detailPtr = memory.allocateBytes(detail);
    }
    memory.writeBytes("error-code", ptr, new byte[SIZE]);
    memory.writeU8("error-code", ptr, value.code().ordinal());
    if (detail != null) {
      memory.writeU8("error-code", ptr + PAYLOAD, 1);
      memory.writeI32("error-code", ptr + PAYLOAD + 4, detailPtr);
      memory.writeI32("error-code", ptr + PAYLOAD + 8, detail.length);
    }
  }

  /**
   * Lifts the error-code whose 7 flat values start at {@code args[at]}, reading and checking any
   * strings it points to.
   */
  static ErrorCodeValue lift(GuestMemory memory, long[] args, int at) {
    long disc = args[at] & 0xFFFF_FFFFL;
    if (disc >= CASES.length) {
      throw new AbiViolation(
          "error-code: discriminant " + disc + " (expected: 0.." + (CASES.length - 1) + ")");
    }
    HttpErrorCode code = CASES[(int) disc];
    long[] p = new long[6];
    System.arraycopy(args, at + 1, p, 0, 6);
    String detail =
        switch (code) {
          case DNS_ERROR ->
              join(
                  "rcode", optString(memory, "dns-error rcode", p[0], p[1], p[2]),
                  "info-code", optNumber("dns-error info-code", p[3], p[4] & 0xFFFF));
          case TLS_ALERT_RECEIVED ->
              join(
                  "alert-id", optNumber("tls-alert-received alert-id", p[0], p[1] & 0xFF),
                  "alert-message",
                      optString(memory, "tls-alert-received alert-message", p[2], p[3], p[4]));
          case HTTP_REQUEST_BODY_SIZE, HTTP_RESPONSE_BODY_SIZE ->
              optNumber(witName(code), p[0], p[1]);
          case HTTP_REQUEST_HEADER_SECTION_SIZE,
              HTTP_REQUEST_TRAILER_SECTION_SIZE,
              HTTP_RESPONSE_HEADER_SECTION_SIZE,
              HTTP_RESPONSE_TRAILER_SECTION_SIZE ->
              optNumber(witName(code), p[0], p[1] & 0xFFFF_FFFFL);
          case HTTP_REQUEST_HEADER_SIZE ->
              optionTag(witName(code), p[0]) ? fieldSize(memory, code, p, 1) : null;
          case HTTP_REQUEST_TRAILER_SIZE, HTTP_RESPONSE_HEADER_SIZE, HTTP_RESPONSE_TRAILER_SIZE ->
              fieldSize(memory, code, p, 0);
          case HTTP_RESPONSE_TRANSFER_CODING, HTTP_RESPONSE_CONTENT_CODING, INTERNAL_ERROR ->
              optString(memory, witName(code), p[0], p[1], p[2]);
          default -> null;
        };
    return new ErrorCodeValue(code, detail);
  }

  /**
   * The HTTP status the engine answers with when the module gives this error instead of a response.
   */
  static int engineStatus(HttpErrorCode code) {
    return switch (code) {
      case HTTP_REQUEST_DENIED -> 403;
      case HTTP_REQUEST_LENGTH_REQUIRED -> 411;
      case HTTP_REQUEST_BODY_SIZE -> 413;
      case HTTP_REQUEST_METHOD_INVALID -> 405;
      case HTTP_REQUEST_URI_INVALID -> 400;
      case HTTP_REQUEST_URI_TOO_LONG -> 414;
      case HTTP_REQUEST_HEADER_SECTION_SIZE,
          HTTP_REQUEST_HEADER_SIZE,
          HTTP_REQUEST_TRAILER_SECTION_SIZE,
          HTTP_REQUEST_TRAILER_SIZE ->
          431;
      case DNS_TIMEOUT,
          CONNECTION_TIMEOUT,
          CONNECTION_READ_TIMEOUT,
          CONNECTION_WRITE_TIMEOUT,
          HTTP_RESPONSE_TIMEOUT ->
          504;
      case CONFIGURATION_ERROR, INTERNAL_ERROR -> 500;
      default -> 502;
    };
  }

  private static String fieldSize(GuestMemory memory, HttpErrorCode code, long[] p, int from) {
    String what = witName(code);
    return join(
        "field-name", optString(memory, what + " field-name", p[from], p[from + 1], p[from + 2]),
        "field-size", optNumber(what + " field-size", p[from + 3], p[from + 4] & 0xFFFF_FFFFL));
  }

  private static String optString(GuestMemory memory, String what, long tag, long ptr, long len) {
    return optionTag(what, tag) ? memory.readString(what, ptr & 0xFFFF_FFFFL, len) : null;
  }

  private static String optNumber(String what, long tag, long value) {
    return optionTag(what, tag) ? Long.toUnsignedString(value) : null;
  }

  private static boolean optionTag(String what, long tag) {
    long t = tag & 0xFFFF_FFFFL;
    if (t > 1) {
      throw new AbiViolation(what + ": option discriminant " + t + " (expected: 0 or 1)");
    }
    return t == 1;
  }

  private static String join(String k1, String v1, String k2, String v2) {
    if (v1 == null && v2 == null) {
      return null;
    }
    if (v2 == null) {
      return k1 + " " + v1;
    }
    return v1 == null ? k2 + " " + v2 : k1 + " " + v1 + ", " + k2 + " " + v2;
  }

  private static String witName(HttpErrorCode code) {
    return ErrorCodeValue.witName(code);
  }

  private static String truncate(String s) {
    if (s.length() <= MAX_DETAIL_CHARS) {
      return s;
    }
    int end = MAX_DETAIL_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
