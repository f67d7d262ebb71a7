package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL connection URL, {@code postgresql://user:password@host:port/db}. The password is a
 * secret: {@link #toString()} and every error message leave it out (and the URL with it).
 *
 * @param host the server's host name or address (IPv6 without brackets)
 * @param port the server's port
 * @param database the database
 * @param user the login role
 * @param password the password, or "" for none
 */
public record PostgresUrl(String host, int port, String database, String user, String password) {
  public static final int DEFAULT_PORT = 5432;

  /** What a URL looks like, for error messages. */
  public static final String EXPECTED = "postgresql://user:password@host:port/db";

  private static final Pattern URL =
      Pattern.compile(
          "(?:postgresql|postgres)://(?:([^:@/]*)(?::([^@/]*))?@)?(\\[[0-9A-Fa-f:.]+\\]|[^:/?#@\\[\\]]+)"
              + "(?::([0-9]{1,5}))?(?:/([^?#]*))?(?:\\?[^#]*)?");

  public PostgresUrl {
    requireNonNull(host, "host");
    requireNonNull(database, "database");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what is wrong, without the URL nor the password
   */
  public static PostgresUrl parse(String text) {
    requireNonNull(text, "text");
    String value = text.strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("is empty (expected: " + EXPECTED + ")");
    }
    if (!value.startsWith("postgresql://") && !value.startsWith("postgres://")) {
      throw new IllegalArgumentException(
          "does not start with postgresql:// (expected: " + EXPECTED + ")");
    }
    Matcher m = URL.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "is not a PostgreSQL URL (expected: "
              + EXPECTED
              + ", with characters such as @ : / in the password percent-encoded)");
    }
    String user = decode(m.group(1), "user");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("names no user (expected: " + EXPECTED + ")");
    }
    String password = decode(m.group(2), "password");
    String host = m.group(3);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = DEFAULT_PORT;
    if (m.group(4) != null) {
      port = Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "has port " + port + " (expected: a port from 1 to 65535)");
      }
    }
    String database = decode(m.group(5), "database");
    if (database.isEmpty()) {
      throw new IllegalArgumentException("names no database (expected: " + EXPECTED + ")");
    }
    return new PostgresUrl(host, port, database, user, password);
  }

  private static String decode(String part, String what) {
    if (part == null) {
      return "";
    }
    try {
      return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "has a malformed percent-encoding in its " + what + " (expected: %XX hex escapes)");
    }
  }

  /** The JDBC URL, without user and password. */
  public String jdbcUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + database;
  }

  /** {@code postgresql://user:***@host:port/db}: the password left out. */
  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "postgresql://" + user + ":***@" + h + ":" + port + "/" + database;
  }
}
