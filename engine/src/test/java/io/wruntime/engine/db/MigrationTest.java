package io.wruntime.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
  @TempDir Path dir;

  @Test
  void sqlFilesAreReadInNameOrderAndOtherEntriesIgnored() throws Exception {
    Files.writeString(dir.resolve("010_c.sql"), "SELECT 10;");
    Files.writeString(dir.resolve("001_a.sql"), "SELECT 1;");
    Files.writeString(dir.resolve("002_b.sql"), "SELECT 'ünïcode';");
    Files.writeString(dir.resolve("notes.txt"), "not SQL");
    Files.createDirectory(dir.resolve("003_dir.sql"));

    assertThat(Migration.readDirectory(dir))
        .extracting(Migration::name)
        .containsExactly("001_a.sql", "002_b.sql", "010_c.sql");
    Migration second = Migration.readDirectory(dir).get(1);
    assertThat(second.sql()).isEqualTo("SELECT 'ünïcode';");
    assertThat(second.sha256()).isEqualTo(Migration.of("x", "SELECT 'ünïcode';").sha256());
    assertThat(Migration.of("x", "").sha256())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedByName() throws Exception {
    Files.write(dir.resolve("001_latin1.sql"), new byte[] {'S', 'E', 'L', (byte) 0xE9});
    assertThatThrownBy(() -> Migration.readDirectory(dir))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessage(
            "migration 001_latin1.sql in " + dir + " is not UTF-8 (expected: UTF-8 SQL text)");
  }

  @Test
  void aPathThatIsNotADirectoryIsRefusedByName() throws Exception {
    Path file = Files.writeString(dir.resolve("001.sql"), "SELECT 1;");
    assertThatThrownBy(() -> Migration.readDirectory(file))
        .isInstanceOf(DbProvisioningException.class)
        .hasMessage(
            "migrations directory "
                + file
                + " is not a directory (expected: a directory of *.sql files)");
  }

  @Test
  void anEmptyDirectoryHasNoMigrations() {
    assertThat(Migration.readDirectory(dir)).isEmpty();
  }
}
