package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import java.nio.charset.StandardCharsets;

/**
 * The rules for the keys modules name: a key is stored as {@code {namespace}/{key}}, and a key that
 * could step outside the namespace or confuse a store is refused with {@code access-denied}.
 */
final class BlobKeys {
  /** S3's longest key, in UTF-8 bytes: the namespace and its '/' count. */
  static final int MAX_KEY_BYTES = 1024;

  private BlobKeys() {}

  /** The stored key of {@code key}: {@code namespace/key}, after checking it. */
  static String stored(String namespace, String key) throws Failure {
    if (key.isEmpty()) {
      throw denied("key is empty (expected: a relative key such as \"reports/2024.csv\")");
    }
    checkRelative("key", key);
    String stored = namespace + "/" + key;
    int bytes = stored.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw denied(
          "key is "
              + bytes
              + " bytes long with its namespace (expected: at most "
              + MAX_KEY_BYTES
              + " bytes of UTF-8, "
              + (namespace.length() + 1)
              + " of them the namespace's)");
    }
    return stored;
  }

  /** The stored prefix of a listing's {@code prefix}; an empty prefix lists the namespace. */
  static String storedPrefix(String namespace, String prefix) throws Failure {
    if (!prefix.isEmpty()) {
      checkRelative("prefix", prefix);
    }
    String stored = namespace + "/" + prefix;
    if (stored.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw denied(
          "prefix is longer than a key may be (expected: at most "
              + MAX_KEY_BYTES
              + " bytes of UTF-8 with the namespace)");
    }
    return stored;
  }

  /** The module's key of a stored key under {@code namespace}. */
  static String unstored(String namespace, String storedKey) {
    return storedKey.substring(namespace.length() + 1);
  }

  private static void checkRelative(String what, String key) throws Failure {
    if (key.startsWith("/")) {
      throw denied(what + " \"" + printable(key) + "\" is absolute (expected: no leading '/')");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw denied(
            what
                + " \""
                + printable(key)
                + "\" contains the control character U+"
                + String.format("%04X", (int) c)
                + " (expected: printable characters)");
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.equals("..")) {
        throw denied(
            what
                + " \""
                + printable(key)
                + "\" has a '..' segment (expected: a key without '..' segments)");
      }
    }
  }

  private static String printable(String key) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < key.length() && shown < 200; i++, shown++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (key.length() > 200) {
      out.append("...");
    }
    return out.toString();
  }

  private static Failure denied(String message) {
    return new Failure(ErrorKind.ACCESS_DENIED, message);
  }
}
