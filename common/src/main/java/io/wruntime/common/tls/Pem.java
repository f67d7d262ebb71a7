package io.wruntime.common.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM encoding of certificates and private keys, as wruntime reads and writes them: certificates as
 * {@code CERTIFICATE} blocks, private keys as PKCS#8 {@code PRIVATE KEY} (what {@code wr-cli cert}
 * writes) or PKCS#1 {@code RSA PRIVATE KEY} (what Helm's {@code genCA}/{@code genSignedCert}
 * write).
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  /** DER of the AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  private Pem() {}

  /** The PEM text of {@code certificates}, in order. */
  public static String certificates(List<X509Certificate> certificates) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        out.append(block("CERTIFICATE", certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("certificate " + certificate.getSubjectX500Principal(), e);
      }
    }
    return out.toString();
  }

  /** The PKCS#8 PEM text of {@code key}. */
  public static String privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("key format: " + key.getFormat() + " (expected: PKCS#8)");
    }
    return block("PRIVATE KEY", key.getEncoded());
  }

  /**
   * Reads the private key of a PEM file: PKCS#8 ({@code PRIVATE KEY}) of an EC or RSA key, or
   * PKCS#1 ({@code RSA PRIVATE KEY}).
   *
   * @throws IllegalArgumentException naming the file, what it holds and what was expected
   */
  public static PrivateKey readPrivateKey(Path file) {
    requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not readable: " + e.getMessage(), e);
    }
    Matcher matcher = BLOCK.matcher(text);
    List<String> found = new ArrayList<>();
    while (matcher.find()) {
      String type = matcher.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(matcher.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": the " + type + " block is not base64", e);
      }
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, der);
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(file, wrapPkcs1(der));
        }
        default -> found.add(type);
      }
    }
    throw new IllegalArgumentException(
        file
            + ": holds no usable private key"
            + (found.isEmpty() ? "" : " (found: " + String.join(", ", found) + ")")
            + " (expected: a PEM block PRIVATE KEY (PKCS#8, EC or RSA) or RSA PRIVATE KEY)");
  }

  /**
   * Writes {@code text} to a new file readable and writable by its owner only (0600 where the file
   * system has POSIX permissions).
   *
   * @param overwrite whether an existing file is replaced; otherwise it is an error
   * @throws FileAlreadyExistsException when the file exists and {@code overwrite} is false
   */
  public static void writePrivate(Path file, String text, boolean overwrite) throws IOException {
    if (overwrite) {
      Files.deleteIfExists(file);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * Writes {@code text} to a file (0644 as the umask allows), refusing to replace one unless asked.
   */
  public static void writePublic(Path file, String text, boolean overwrite) throws IOException {
    if (overwrite) {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } else {
      Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    List<String> errors = new ArrayList<>();
    for (String algorithm : List.of("EC", "RSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        errors.add(algorithm + ": " + e.getMessage());
      }
    }
    throw new IllegalArgumentException(
        file
            + ": the private key is neither an EC nor an RSA key in PKCS#8 ("
            + String.join("; ", errors)
            + ")");
  }

  /** PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { pkcs1 } }. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] octets = der(0x04, pkcs1);
    byte[] version = {0x02, 0x01, 0x00};
    byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
    System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int length = content.length;
    byte[] header;
    if (length < 0x80) {
      header = new byte[] {(byte) tag, (byte) length};
    } else if (length < 0x100) {
      header = new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    } else if (length < 0x10000) {
      header = new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    } else {
      header =
          new byte[] {
            (byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length
          };
    }
    byte[] out = new byte[header.length + length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(content, 0, out, header.length, length);
    return out;
  }

  private static String block(String type, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }
}
