package io.sei.p2p.webhook;

import io.sei.p2p.certs.Pem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The serving certificate and key on disk (a mounted Secret, which the kubelet swaps atomically). Read by value, so
 * that a change is visible as different options; a new pair is used only once it is checked to match and the server
 * has taken it.
 */
final class CertificateFiles {

  private final Path certFile;
  private final Path keyFile;
  private Pair inUse = new Pair(new byte[0], new byte[0]);

  CertificateFiles(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /** A certificate and its key as read from disk. */
  record Pair(byte[] cert, byte[] key) {

    PemKeyCertOptions options() {
      return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
    }

    boolean sameAs(Pair other) {
      return Arrays.equals(cert, other.cert) && Arrays.equals(key, other.key);
    }

    /** IllegalArgumentException when the key is not the certificate's (a half-written or mixed-up Secret). */
    void check() {
      Pem.checkPair(Pem.certificate(new String(cert, StandardCharsets.UTF_8)),
          Pem.privateKey(new String(key, StandardCharsets.UTF_8)));
    }
  }

  /** The current files, checked, now in use; fails when they cannot be read or do not match. */
  PemKeyCertOptions load() {
    Pair pair = read();
    pair.check();
    inUse = pair;
    return pair.options();
  }

  /**
   * The files' content when it differs from the pair in use and is a matching pair, else empty; IllegalArgumentException
   * when they changed into a pair that does not match. Nothing changes until {@link #using} says the server took it.
   */
  Optional<Pair> changed() {
    Pair pair = read();
    if (pair.sameAs(inUse)) {
      return Optional.empty();
    }
    pair.check();
    return Optional.of(pair);
  }

  /** The server serves {@code pair} now. */
  void using(Pair pair) {
    inUse = pair;
  }

  private Pair read() {
    return new Pair(read(certFile), read(keyFile));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
