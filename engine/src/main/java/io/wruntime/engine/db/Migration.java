package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One migration file of a module.
 *
 * @param name the file name, e.g. {@code 001_init.sql}
 * @param sql its text
 * @param sha256 the lowercase hex SHA-256 of its bytes
 */
public record Migration(String name, String sql, String sha256) {
  public Migration {
    requireNonNull(name, "name");
    requireNonNull(sql, "sql");
    requireNonNull(sha256, "sha256");
  }

  /** A migration named {@code name} with text {@code sql}. */
  public static Migration of(String name, String sql) {
    return new Migration(name, sql, sha256(sql.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The {@code *.sql} regular files directly in {@code directory}, sorted by name (Java's string
   * order: use zero-padded numbers, {@code 001_init.sql}, {@code 002_orders.sql}). Other files are
   * ignored.
   *
   * @throws DbProvisioningException when the directory or a file cannot be read, or a file is not
   *     UTF-8
   */
  public static List<Migration> readDirectory(Path directory) {
    requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw new DbProvisioningException(
          "migrations directory "
              + directory
              + (Files.exists(directory) ? " is not a directory" : " does not exist")
              + " (expected: a directory of *.sql files)");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files =
          listing
              .filter(p -> p.getFileName().toString().endsWith(".sql"))
              .filter(Files::isRegularFile)
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      throw new DbProvisioningException(
          "cannot list migrations directory " + directory + ": " + e.getMessage(), e);
    }
    List<Migration> migrations = new ArrayList<>(files.size());
    for (Path file : files) {
      String name = file.getFileName().toString();
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new DbProvisioningException(
            "cannot read migration " + name + " in " + directory + ": " + e.getMessage(), e);
      }
      String sql;
      try {
        sql =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new DbProvisioningException(
            "migration " + name + " in " + directory + " is not UTF-8 (expected: UTF-8 SQL text)",
            e);
      }
      migrations.add(new Migration(name, sql, sha256(bytes)));
    }
    return List.copyOf(migrations);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
