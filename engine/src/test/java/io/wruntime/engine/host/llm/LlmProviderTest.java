package io.wruntime.engine.host.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.engine.host.llm.Llm.ErrorKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the engine reads from a provider's error answers: Retry-After, and the error case. */
class LlmProviderTest {
  private static final Instant NOW = Instant.parse("1994-11-06T08:48:37Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void retryAfterInSecondsIsPassedOnAndCappedToAU32() {
    assertThat(LlmProvider.retryAfter("17", NOW)).isEqualTo(17L);
    assertThat(LlmProvider.retryAfter(" 0 ", NOW)).isZero();
    assertThat(LlmProvider.retryAfter("4294967296", NOW)).isEqualTo(0xFFFF_FFFFL);
    assertThat(LlmProvider.retryAfter("99999999999999999999999", NOW)).isEqualTo(0xFFFF_FFFFL);
  }

  @Test
  void retryAfterAsAnHttpDateIsTheSecondsUntilThenInEachOfItsThreeForms() {
    assertThat(LlmProvider.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).isEqualTo(60L);
    assertThat(LlmProvider.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).isEqualTo(60L);
    assertThat(LlmProvider.retryAfter("Sun Nov  6 08:49:37 1994", NOW)).isEqualTo(60L);
    // Part of a second left is a whole second to wait, not none.
    assertThat(LlmProvider.retryAfter("Sun, 06 Nov 1994 08:48:38 GMT", NOW.plusMillis(1)))
        .isEqualTo(1L);
  }

  @Test
  void anHttpDateThatHasPassedMeansRetryNow() {
    assertThat(LlmProvider.retryAfter("Sun, 06 Nov 1994 08:00:00 GMT", NOW)).isZero();
    assertThat(LlmProvider.retryAfter("Thu, 01 Jan 1970 00:00:00 GMT", NOW)).isZero();
  }

  @Test
  void negativeOrGarbageRetryAfterIsAbsent() {
    assertThat(LlmProvider.retryAfter(null, NOW)).isNull();
    assertThat(LlmProvider.retryAfter("-5", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("+5", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("1.5", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("soon", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("Sun, 32 Nov 1994 08:49:37 GMT", NOW)).isNull();
    assertThat(LlmProvider.retryAfter("Someday, 06-Nov-94 08:49:37 GMT", NOW)).isNull();
  }

  private static ErrorKind kind(String error) throws Exception {
    return LlmProvider.errorKind(JSON.readTree(error));
  }

  @Test
  void anthropicErrorTypesMapToTheErrorCasesOfTheirStatuses() throws Exception {
    assertThat(kind("{\"type\":\"invalid_request_error\"}")).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(kind("{\"type\":\"not_found_error\"}")).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(kind("{\"type\":\"request_too_large\"}")).isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(kind("{\"type\":\"authentication_error\"}")).isEqualTo(ErrorKind.AUTH);
    assertThat(kind("{\"type\":\"permission_error\"}")).isEqualTo(ErrorKind.AUTH);
    assertThat(kind("{\"type\":\"rate_limit_error\"}")).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(kind("{\"type\":\"overloaded_error\"}")).isEqualTo(ErrorKind.API);
    assertThat(kind("{\"type\":\"api_error\"}")).isEqualTo(ErrorKind.API);
    assertThat(kind("{}")).isEqualTo(ErrorKind.API);
  }

  @Test
  void openAiErrorTypesAndCodesMapToTheErrorCases() throws Exception {
    assertThat(kind("{\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}"))
        .isEqualTo(ErrorKind.AUTH);
    assertThat(kind("{\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}"))
        .isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(kind("{\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}"))
        .isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(kind("{\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}"))
        .isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(kind("{\"type\":\"server_error\",\"code\":null}")).isEqualTo(ErrorKind.API);
    // Servers that send the HTTP status as the code (e.g. vLLM).
    assertThat(kind("{\"type\":\"BadRequestError\",\"code\":400}"))
        .isEqualTo(ErrorKind.INVALID_REQUEST);
    assertThat(kind("{\"code\":\"401\"}")).isEqualTo(ErrorKind.AUTH);
    assertThat(kind("{\"code\":429}")).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(kind("{\"code\":503}")).isEqualTo(ErrorKind.API);
  }
}
