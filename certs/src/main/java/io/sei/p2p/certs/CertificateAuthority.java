package io.sei.p2p.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed ECDSA P-256 certificate authority that issues serving and client certificates. */
public final class CertificateAuthority {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Tolerates small clock differences between the signer and the verifier; short-lived certificates less. */
  private static final Duration MAX_BACKDATE = Duration.ofMinutes(5);

  private final IssuedCertificate ca;
  private final Clock clock;

  private CertificateAuthority(IssuedCertificate ca, Clock clock) {
    this.ca = ca;
    this.clock = clock;
  }

  /** Creates a new CA with a fresh key. */
  public static CertificateAuthority create(String commonName, Duration validity, Clock clock) {
    KeyPair keys = newKeyPair();
    X500Name subject = name(commonName, List.of());
    X509Certificate cert = sign(subject, keys.getPublic(), subject, keys, validity, clock, builder -> {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    });
    return new CertificateAuthority(new IssuedCertificate(cert, keys.getPrivate()), clock);
  }

  /** Uses an existing CA (for example one read back from a Secret). */
  public static CertificateAuthority of(IssuedCertificate ca, Clock clock) {
    return new CertificateAuthority(ca, clock);
  }

  public IssuedCertificate certificate() {
    return ca;
  }

  /** A client {@code protocol} (e.g. "TLS") context that trusts this authority alone: for calling what it issued for. */
  public SSLContext clientContext(String protocol) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext ssl = SSLContext.getInstance(protocol);
      ssl.init(null, factory.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not make a TLS context trusting " + ca.certificate().getSubjectX500Principal(),
          e);
    }
  }

  /** A TLS server certificate; each SAN that parses as an IP literal becomes an IP SAN, the rest DNS SANs. */
  public IssuedCertificate issueServing(String commonName, List<String> subjectAltNames, Duration validity) {
    KeyPair keys = newKeyPair();
    X509Certificate cert = sign(name(commonName, List.of()), keys.getPublic(), issuer(), ca.asKeyPair(), validity, clock,
        builder -> {
          leafExtensions(builder, KeyPurposeId.id_kp_serverAuth);
          builder.addExtension(Extension.subjectAlternativeName, false, sans(subjectAltNames));
        });
    return new IssuedCertificate(cert, keys.getPrivate());
  }

  /** A TLS client certificate; Kubernetes reads the user from CN and the groups from O. */
  public IssuedCertificate issueClient(String commonName, List<String> organizations, Duration validity) {
    KeyPair keys = newKeyPair();
    X509Certificate cert = sign(name(commonName, organizations), keys.getPublic(), issuer(), ca.asKeyPair(), validity,
        clock, builder -> leafExtensions(builder, KeyPurposeId.id_kp_clientAuth));
    return new IssuedCertificate(cert, keys.getPrivate());
  }

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate ECDSA P-256 keys", e);
    }
  }

  private X500Name issuer() {
    return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> builder.addRDN(BCStyle.O, o));
    builder.addRDN(BCStyle.CN, commonName);
    return builder.build();
  }

  private static void leafExtensions(X509v3CertificateBuilder builder, KeyPurposeId purpose) throws Exception {
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
  }

  private static GeneralNames sans(List<String> subjectAltNames) {
    return new GeneralNames(subjectAltNames.stream()
        .map(san -> new GeneralName(IpLiteral.isIpLiteral(san) ? GeneralName.iPAddress : GeneralName.dNSName, san))
        .toArray(GeneralName[]::new));
  }

  @FunctionalInterface
  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws Exception;
  }

  private static X509Certificate sign(X500Name subject, PublicKey subjectKey, X500Name issuer, KeyPair issuerKeys,
      Duration validity, Clock clock, Extensions extensions) {
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      Duration backdate = validity.dividedBy(10).compareTo(MAX_BACKDATE) < 0 ? validity.dividedBy(10) : MAX_BACKDATE;
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
          Date.from(now.minus(backdate)), Date.from(now.plus(validity)), subject, subjectKey);
      builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
      extensions.add(builder);
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("signing a certificate for " + subject + " failed", e);
    } catch (Exception e) {
      throw new IllegalStateException("building the extensions of a certificate for " + subject + " failed", e);
    }
  }
}
