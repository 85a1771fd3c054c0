package io.sei.p2p.certs;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM encoding of certificates (X.509) and private keys (PKCS#8), and the reverse. */
public final class Pem {

  private Pem() {
  }

  public static String encode(X509Certificate certificate) {
    return write(certificate);
  }

  /** SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"). */
  public static String encode(PublicKey key) {
    return write(key);
  }

  /** PKCS#8 ("BEGIN PRIVATE KEY"), which Go, the JDK and Vert.x all read. */
  public static String encode(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The traditional OpenSSL form ("BEGIN EC PRIVATE KEY" for ECDSA). fabric8 reads a kubeconfig's EC client key only
   * in this form, because it picks the key algorithm from the PEM header.
   */
  public static String encodeTraditional(PrivateKey key) {
    if (!(key instanceof ECPrivateKey ecKey)) {
      return write(key);
    }
    // SEC1 with the named curve inside: what Go and fabric8 need, and what BouncyCastle omits for JDK keys.
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
      org.bouncycastle.asn1.sec.ECPrivateKey inner =
          org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
          ecKey.getParams().getOrder().bitLength(), inner.getKey(), inner.getPublicKey(),
          info.getPrivateKeyAlgorithm().getParameters());
      return write(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static X509Certificate certificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      if (!(parsed instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("not a PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
    }
  }

  /** Every certificate in a PEM bundle, in order. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object parsed = parser.readObject(); parsed != null; parsed = parser.readObject()) {
        if (parsed instanceof X509CertificateHolder holder) {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found");
    }
    return certificates;
  }

  public static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      throw new IllegalArgumentException("not a PEM private key");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks that {@code key} is the private key of {@code certificate}'s public key, by signing a challenge with one
   * and verifying it with the other; IllegalArgumentException saying so when they are not a pair.
   */
  public static void checkPair(X509Certificate certificate, PrivateKey key) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
    };
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException("the private key does not belong to the certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key does not belong to the certificate: " + e.getMessage(), e);
    }
  }

  private static String write(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
