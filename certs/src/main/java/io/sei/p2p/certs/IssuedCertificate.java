package io.sei.p2p.certs;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** A certificate and its private key. */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {

  public KeyPair asKeyPair() {
    return new KeyPair(certificate.getPublicKey(), privateKey);
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  /** The key in the traditional OpenSSL form, for kubeconfig files. */
  public String privateKeyTraditionalPem() {
    return Pem.encodeTraditional(privateKey);
  }

  public Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }
}
