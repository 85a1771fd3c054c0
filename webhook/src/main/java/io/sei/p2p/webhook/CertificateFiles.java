package io.sei.p2p.webhook;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The serving certificate and key on disk (a mounted Secret, which the kubelet swaps atomically). Read by value,
 * so that a change is visible as different options.
 */
final class CertificateFiles {

  private final Path certFile;
  private final Path keyFile;
  private byte[] cert = new byte[0];
  private byte[] key = new byte[0];

  CertificateFiles(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /** The current files; fails when they cannot be read. */
  PemKeyCertOptions load() {
    cert = read(certFile);
    key = read(keyFile);
    return options();
  }

  /** The files' new content when either changed since the last call, else empty. */
  Optional<PemKeyCertOptions> changed() {
    byte[] newCert = read(certFile);
    byte[] newKey = read(keyFile);
    if (Arrays.equals(newCert, cert) && Arrays.equals(newKey, key)) {
      return Optional.empty();
    }
    cert = newCert;
    key = newKey;
    return Optional.of(options());
  }

  private PemKeyCertOptions options() {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
