package io.wruntime.engine.host.llm;

import static java.util.Objects.requireNonNull;

/**
 * Removes the API key from text that arrives in pieces (a stream's text deltas), where a key may be
 * split across two or more pieces. Of what it was given, it holds back only the longest end that is
 * a beginning of the key ({@code "... sk-ant"}), until more text comes or the text ends ({@link
 * #flush}): a key that starts in what it hands out ends there too, so it was replaced by {@code
 * [api key]} before. Text that does not end like the key's beginning passes at once.
 *
 * <p>One instance, one thread: not thread-safe.
 */
final class KeyRedactor {
  static final String MARK = "[api key]";

  private final String key;
  private final StringBuilder held = new StringBuilder();

  KeyRedactor(String key) {
    this.key = requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key: empty (expected: the API key)");
    }
  }

  /** Replaces every occurrence of the key in one whole text. */
  static String redact(String text, String key) {
    return text.replace(key, MARK);
  }

  /** Takes the next piece; returns the text that is safe to hand out now (maybe empty). */
  String push(String piece) {
    held.append(piece);
    String text = redact(held.toString(), key);
    int cut = text.length() - keyStartAtEnd(text);
    // Never split a surrogate pair: half a character cannot be encoded for the module.
    if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    held.setLength(0);
    held.append(text, cut, text.length());
    return text.substring(0, cut);
  }

  /** The length of the longest end of {@code text} that is a beginning (not all) of the key. */
  private int keyStartAtEnd(String text) {
    for (int n = Math.min(key.length() - 1, text.length()); n > 0; n--) {
      if (text.regionMatches(text.length() - n, key, 0, n)) {
        return n;
      }
    }
    return 0;
  }

  /** The text still held (the text ended); empty when none. */
  String flush() {
    String text = redact(held.toString(), key);
    held.setLength(0);
    return text;
  }
}
