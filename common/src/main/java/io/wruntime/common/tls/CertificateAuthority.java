package io.wruntime.common.tls;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.security.CallerIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A deployment's certificate authority, as {@code wr-cli cert} makes and uses it: ECDSA P-256 keys,
 * X.509 certificates built with Bouncy Castle and signed with SHA-256.
 *
 * <p>The CA certificate has basicConstraints CA:true (critical) and keyUsage keyCertSign + cRLSign,
 * and names its trust domain in a URI SAN {@code spiffe://<trust-domain>}, so {@link #load(Path)}
 * finds the trust domain again when it issues certificates. Issued certificates carry the holder's
 * identity twice, as the URI SAN {@code spiffe://<trust-domain>/<role>/<name>} and as the common
 * name {@code <role>:<name>}, with extendedKeyUsage serverAuth + clientAuth (one certificate serves
 * a process's listeners and its calls).
 *
 * <p>Needs {@code org.bouncycastle:bcpkix-jdk18on} on the class path (wr-common declares it
 * optional: only wr-cli and tests make certificates).
 */
public final class CertificateAuthority {
  /** The CA certificate's file name in a CA directory and in an issued certificate's directory. */
  public static final String CA_CERT = "ca.crt";

  /** The CA key's file name in a CA directory. */
  public static final String CA_KEY = "ca.key";

  /** An issued certificate's file name (the Kubernetes TLS Secret's key). */
  public static final String CERT = "tls.crt";

  /** An issued key's file name (the Kubernetes TLS Secret's key). */
  public static final String KEY = "tls.key";

  /** The trust domain when none is given. */
  public static final String DEFAULT_TRUST_DOMAIN = "wruntime";

  /**
   * How far back certificates are valid from, so that a clock running slightly late accepts them.
   */
  private static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final Pattern TRUST_DOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?");
  private static final int URI_SAN = 6;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final String trustDomain;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key, String trustDomain) {
    this.certificate = certificate;
    this.key = key;
    this.trustDomain = trustDomain;
  }

  /**
   * Makes a new CA with a fresh key.
   *
   * @throws IllegalArgumentException when the trust domain or validity is unusable
   */
  public static CertificateAuthority create(String trustDomain, Duration validity, Clock clock) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(validity, "validity");
    requireNonNull(clock, "clock");
    checkTrustDomain(trustDomain);
    checkValidity(validity);
    KeyPair pair = newKeyPair();
    BigInteger serial = serial();
    // A distinct name per CA: a bundle of an old and a new CA (rotation) needs names that tell the
    // two apart, since path building finds a certificate's issuer by name.
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, trustDomain)
            .addRDN(
                BCStyle.CN,
                "wruntime CA " + trustDomain + " " + "%08x".formatted(serial.intValue()))
            .build();
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial,
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(validity)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(pair.getPublic()))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName(
                          GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
      X509Certificate certificate = sign(builder, pair.getPrivate());
      return new CertificateAuthority(certificate, pair.getPrivate(), trustDomain);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make the CA certificate", e);
    }
  }

  /**
   * Reads a CA directory written by {@link #writeTo}.
   *
   * @throws IllegalArgumentException naming the directory or file, what was wrong and what was
   *     expected
   */
  public static CertificateAuthority load(Path dir) {
    requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          dir + " is not a directory (expected: a CA directory made by wr-cli cert init-ca)");
    }
    Path certFile = dir.resolve(CA_CERT);
    Path keyFile = dir.resolve(CA_KEY);
    for (Path file : List.of(certFile, keyFile)) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            dir
                + " has no readable "
                + file.getFileName()
                + " (expected: a CA directory made by wr-cli cert init-ca, holding "
                + CA_CERT
                + " and "
                + CA_KEY
                + ")");
      }
    }
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(certFile)) {
      Collection<? extends java.security.cert.Certificate> all =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (all.isEmpty()) {
        throw new IllegalArgumentException(certFile + ": holds no certificate (expected: PEM)");
      }
      certificate = (X509Certificate) all.iterator().next();
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(
          certFile + ": not readable as a PEM certificate: " + e.getMessage(), e);
    }
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          certFile
              + ": "
              + certificate.getSubjectX500Principal()
              + " is not a CA certificate"
              + " (expected: basicConstraints CA:true)");
    }
    PrivateKey key = Pem.readPrivateKey(keyFile);
    String trustDomain =
        trustDomainOf(certificate)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        certFile
                            + ": names no trust domain (expected: a URI SAN spiffe://<trust-domain>,"
                            + " as wr-cli cert init-ca writes)"));
    return new CertificateAuthority(certificate, key, trustDomain);
  }

  /** The CA certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The trust domain of the identities this CA issues. */
  public String trustDomain() {
    return trustDomain;
  }

  /**
   * Writes {@code ca.crt} and {@code ca.key} (0600) into {@code dir}, creating it.
   *
   * @throws FileAlreadyExistsException when a file exists and {@code overwrite} is false
   */
  public void writeTo(Path dir, boolean overwrite) throws IOException {
    Files.createDirectories(dir);
    refuseExisting(dir, overwrite, CA_CERT, CA_KEY);
    Pem.writePrivate(dir.resolve(CA_KEY), Pem.privateKey(key), overwrite);
    Pem.writePublic(dir.resolve(CA_CERT), Pem.certificates(List.of(certificate)), overwrite);
  }

  /**
   * Issues a certificate for {@code identity} with a fresh key.
   *
   * @param dnsNames extra DNS SANs (e.g. the manager's Service name), may be empty
   * @param addresses extra IP SANs, may be empty
   * @throws IllegalArgumentException when the validity is unusable or outlives the CA
   */
  public Issued issue(
      CallerIdentity identity,
      List<String> dnsNames,
      List<InetAddress> addresses,
      Duration validity,
      Clock clock) {
    requireNonNull(identity, "identity");
    requireNonNull(dnsNames, "dnsNames");
    requireNonNull(addresses, "addresses");
    requireNonNull(validity, "validity");
    requireNonNull(clock, "clock");
    checkValidity(validity);
    if (identity.role() == CallerIdentity.Role.LOCAL) {
      throw new IllegalArgumentException("role: local (expected: node, admin or manager)");
    }
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      throw new IllegalArgumentException(
          "validity: "
              + validity.toDays()
              + " days would end on "
              + notAfter
              + ", after the CA's own certificate ("
              + certificate.getNotAfter().toInstant()
              + ") (expected: fewer days, or a new CA)");
    }
    KeyPair pair = newKeyPair();
    List<GeneralName> names = new ArrayList<>();
    URI uri = identity.toUri(trustDomain);
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri.toString()));
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress address : addresses) {
      names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
    }
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, trustDomain)
            .addRDN(BCStyle.CN, identity.role().label() + ":" + identity.name())
            .build();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(notAfter),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(pair.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(certificate))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(names.toArray(GeneralName[]::new)));
      return new Issued(sign(builder, key), pair.getPrivate(), certificate);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + identity, e);
    }
  }

  /**
   * A certificate issued by this CA, with its key and the CA certificate.
   *
   * @param certificate the issued certificate
   * @param key its private key
   * @param authority the issuing CA's certificate
   */
  public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate authority) {
    public Issued {
      requireNonNull(certificate, "certificate");
      requireNonNull(key, "key");
      requireNonNull(authority, "authority");
    }

    /**
     * Writes {@code tls.crt}, {@code tls.key} (0600) and {@code ca.crt} into {@code dir}, creating
     * it: the layout of a Kubernetes Secret, and the three files of a {@code [tls]} table.
     *
     * @throws FileAlreadyExistsException when a file exists and {@code overwrite} is false
     */
    public void writeTo(Path dir, boolean overwrite) throws IOException {
      Files.createDirectories(dir);
      refuseExisting(dir, overwrite, CERT, KEY, CA_CERT);
      Pem.writePrivate(dir.resolve(KEY), Pem.privateKey(key), overwrite);
      Pem.writePublic(dir.resolve(CERT), Pem.certificates(List.of(certificate)), overwrite);
      Pem.writePublic(dir.resolve(CA_CERT), Pem.certificates(List.of(authority)), overwrite);
    }
  }

  /** The trust domain a CA certificate names in its URI SAN {@code spiffe://<trust-domain>}. */
  static Optional<String> trustDomainOf(X509Certificate certificate) {
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans == null) {
        return Optional.empty();
      }
      for (List<?> san : sans) {
        if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          String uri = String.valueOf(san.get(1));
          if (uri.startsWith("spiffe://")) {
            String domain = uri.substring("spiffe://".length());
            if (TRUST_DOMAIN.matcher(domain).matches()) {
              return Optional.of(domain);
            }
          }
        }
      }
      return Optional.empty();
    } catch (CertificateException e) {
      return Optional.empty();
    }
  }

  private static void refuseExisting(Path dir, boolean overwrite, String... files)
      throws FileAlreadyExistsException {
    if (overwrite) {
      return;
    }
    for (String file : files) {
      if (Files.exists(dir.resolve(file))) {
        throw new FileAlreadyExistsException(
            dir.resolve(file).toString(),
            null,
            "exists (expected: a new file; --force replaces it)");
      }
    }
  }

  private static void checkTrustDomain(String trustDomain) {
    if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException(
          "trust domain: "
              + trustDomain
              + " (expected: 1-255 characters of a-z, 0-9, '.', '_' and '-', starting and ending"
              + " with a letter or digit)");
    }
  }

  private static void checkValidity(Duration validity) {
    if (validity.compareTo(Duration.ofDays(1)) < 0
        || validity.compareTo(Duration.ofDays(36_500)) > 0) {
      throw new IllegalArgumentException(
          "validity: " + validity.toDays() + " days (expected: 1 to 36500 days)");
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make ECDSA P-256 keys", e);
    }
  }

  private static BigInteger serial() {
    // 127 random bits, positive and non-zero, as RFC 5280 asks (at most 20 octets).
    return new BigInteger(127, RANDOM).setBit(0);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with a " + signer.getAlgorithm() + " key", e);
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
  }
}
