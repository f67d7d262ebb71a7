package io.wruntime.engine.host.llm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The key is removed from text given in pieces, however the pieces split it. */
class KeyRedactorTest {
  private static final String KEY = "sk-0123456789";

  /** All the text handed out; none of it before the flush holds the key's first half. */
  private static String through(KeyRedactor r, String... pieces) {
    StringBuilder out = new StringBuilder();
    for (String piece : pieces) {
      out.append(r.push(piece));
      assertThat(out.toString()).doesNotContain("sk-012345");
    }
    return out.append(r.flush()).toString();
  }

  @Test
  void everySplitOfTheKeyIsRedacted() {
    String text = "<" + KEY + ">";
    for (int i = 0; i <= text.length(); i++) {
      for (int j = i; j <= text.length(); j++) {
        assertThat(
                through(
                    new KeyRedactor(KEY),
                    text.substring(0, i),
                    text.substring(i, j),
                    text.substring(j)))
            .as("split at %d and %d", i, j)
            .isEqualTo("<[api key]>");
      }
    }
  }

  @Test
  void textWithoutTheKeyIsUnchangedAndNothingIsHeldAfterAFlush() {
    KeyRedactor r = new KeyRedactor(KEY);
    assertThat(through(r, "sk-0123", "4 is not the key")).isEqualTo("sk-01234 is not the key");
    assertThat(r.flush()).isEmpty();
    // Text passes at once, but for an end that could begin the key.
    assertThat(r.push("any text")).isEqualTo("any text");
    assertThat(r.push("then sk-01")).isEqualTo("then ");
    assertThat(r.push("x")).isEqualTo("sk-01x");
    assertThat(r.push("s")).isEqualTo("");
    assertThat(r.flush()).isEqualTo("s");
  }
}
