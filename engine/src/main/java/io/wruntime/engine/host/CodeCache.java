package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chicory's compiled code on disk, so that a restart loads a module's classes instead of compiling
 * it again ({@code code_cache_dir} in engine.toml).
 *
 * <p>Chicory's compiler asks its {@link Cache} by the module's digest alone; {@link
 * #forCompiler(String)} folds the Chicory version, the compiler settings and a format version into
 * the key, so a different module, Chicory release or setting never reads another's entry. One file
 * per entry, {@code <sha256 of the key>.code}: a header, the SHA-256 of the payload, the payload
 * (the jar of classes Chicory stores). A read checks the header and the digest; an entry that fails
 * either (truncated, corrupted, written by something else) is deleted and counted as {@link
 * #rejected()}, and the module is compiled again. Entries are written to a temporary file in the
 * same directory and renamed into place, so a reader never sees half an entry and concurrent
 * writers of the same key leave one whole file. Nothing is ever evicted: a module that changes
 * leaves its old entry behind (delete the directory to reclaim the space).
 *
 * <p>I/O errors never fail a load: a read that fails is a miss, a write that fails is logged.
 */
public final class CodeCache {
  private static final Logger log = LoggerFactory.getLogger(CodeCache.class);

  /** Bumped when the entry format or what goes into the key changes. */
  private static final String FORMAT = "wruntime-code-cache-1";

  private static final byte[] MAGIC = "WRCODE01".getBytes(StandardCharsets.US_ASCII);
  private static final int DIGEST_BYTES = 32;
  private static final int HEADER_BYTES = MAGIC.length + DIGEST_BYTES;
  private static final String SUFFIX = ".code";

  /** The version of Chicory's compiler on the class path, part of every key. */
  static final String CHICORY_VERSION = chicoryVersion();

  private static final CodeCache DISABLED = new CodeCache(null);

  private final Path dir;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  private CodeCache(Path dir) {
    this.dir = dir;
  }

  /** A cache that keeps nothing: every module is compiled. */
  public static CodeCache disabled() {
    return DISABLED;
  }

  /**
   * The cache in {@code dir}, created if missing; {@link #disabled()} when {@code dir} is null or
   * cannot be created (logged: the engine still runs, it compiles every module).
   */
  public static CodeCache open(Path dir) {
    if (dir == null) {
      return DISABLED;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      log.warn(
          "code cache {} cannot be created, modules are compiled on every start: {}",
          dir,
          e.toString());
      return DISABLED;
    }
    return new CodeCache(dir.toAbsolutePath().normalize());
  }

  /** Whether entries are read and written. */
  public boolean enabled() {
    return dir != null;
  }

  /** The directory of the entries, or null when disabled. */
  public Path dir() {
    return dir;
  }

  /** Compilations that loaded their code from this cache. */
  public long hits() {
    return hits.get();
  }

  /** Compilations that found no usable entry and compiled. */
  public long misses() {
    return misses.get();
  }

  /** Entries written. */
  public long stored() {
    return stored.get();
  }

  /** Entries found damaged (wrong header or digest), deleted and recompiled. */
  public long rejected() {
    return rejected.get();
  }

  /**
   * The cache as Chicory's compiler sees it, for code compiled with {@code settings} (every option
   * given to {@link MachineFactoryCompiler.Builder} that changes the code it emits).
   */
  Cache forCompiler(String settings) {
    return forCompiler(settings, false);
  }

  /**
   * Like {@link #forCompiler(String)}; with {@code cachedOnly}, a key without a usable entry throws
   * {@link Missed} instead of letting the compiler compile.
   */
  Cache forCompiler(String settings, boolean cachedOnly) {
    requireNonNull(settings, "settings");
    return new Cache() {
      @Override
      public byte[] get(String key) {
        byte[] data = read(entry(settings, key));
        if (data == null && cachedOnly) {
          throw new Missed();
        }
        return data;
      }

      @Override
      public void putIfAbsent(String key, byte[] data) {
        write(entry(settings, key), data);
      }
    };
  }

  /** Whether an entry for {@code moduleDigest} under {@code settings} exists (not yet checked). */
  boolean holds(String settings, String moduleDigest) {
    return enabled() && Files.isRegularFile(entry(settings, moduleDigest));
  }

  /** A compilation that had to take its code from the cache found no usable entry. */
  static final class Missed extends RuntimeException {
    Missed() {
      super("no usable code cache entry", null, false, false);
    }
  }

  /** Deletes the entry of {@code moduleDigest} under {@code settings} (its code did not load). */
  void evict(String settings, String moduleDigest) {
    Path file = entry(settings, moduleDigest);
    try {
      if (Files.deleteIfExists(file)) {
        rejected.incrementAndGet();
      }
    } catch (IOException e) {
      log.warn("code cache: cannot delete {}: {}", file, e.toString());
    }
  }

  Path entry(String settings, String moduleDigest) {
    String key = FORMAT + "\n" + CHICORY_VERSION + "\n" + settings + "\n" + moduleDigest;
    return dir.resolve(
        HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8))) + SUFFIX);
  }

  private byte[] read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      misses.incrementAndGet();
      return null;
    } catch (IOException | OutOfMemoryError e) {
      log.warn("code cache: cannot read {}, compiling: {}", file, e.toString());
      misses.incrementAndGet();
      return null;
    }
    if (bytes.length < HEADER_BYTES
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
        || !Arrays.equals(
            bytes,
            MAGIC.length,
            HEADER_BYTES,
            sha256(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES),
            0,
            DIGEST_BYTES)) {
      log.warn(
          "code cache: {} is damaged ({} bytes, header or digest wrong), deleting it and compiling",
          file,
          bytes.length);
      rejected.incrementAndGet();
      misses.incrementAndGet();
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.warn("code cache: cannot delete {}: {}", file, e.toString());
      }
      return null;
    }
    hits.incrementAndGet();
    return Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length);
  }

  private void write(Path file, byte[] payload) {
    if (Files.exists(file)) {
      return;
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      byte[] header = Arrays.copyOf(MAGIC, HEADER_BYTES);
      System.arraycopy(sha256(payload, 0, payload.length), 0, header, MAGIC.length, DIGEST_BYTES);
      try (var out = Files.newOutputStream(tmp)) {
        out.write(header);
        out.write(payload);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      stored.incrementAndGet();
    } catch (IOException e) {
      log.warn("code cache: cannot write {}: {}", file, e.toString());
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          log.debug("code cache: cannot delete {}: {}", tmp, e.toString());
        }
      }
    }
  }

  private static byte[] sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  private static byte[] sha256(byte[] data, int offset, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, offset, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String chicoryVersion() {
    try (InputStream in =
        MachineFactoryCompiler.class.getResourceAsStream(
            "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String version = p.getProperty("version");
        if (version != null && !version.isBlank()) {
          return version;
        }
      }
    } catch (IOException e) {
      log.debug("cannot read Chicory's version: {}", e.toString());
    }
    // Without a version, the compiler's own bytes tell releases apart.
    try (InputStream in =
        MachineFactoryCompiler.class.getResourceAsStream("MachineFactoryCompiler.class")) {
      return in == null
          ? "unknown"
          : "unknown-" + HexFormat.of().formatHex(sha256(in.readAllBytes()));
    } catch (IOException e) {
      return "unknown";
    }
  }
}
