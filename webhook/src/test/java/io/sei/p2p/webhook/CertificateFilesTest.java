package io.sei.p2p.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sei.p2p.certs.CertificateAuthority;
import io.sei.p2p.certs.IssuedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateFilesTest {

  private static final CertificateAuthority CA = CertificateAuthority.create("ca", Duration.ofDays(1),
      Clock.systemUTC());

  @TempDir
  Path dir;

  @Test
  void aNewPairStaysNewUntilTheServerTookIt() throws Exception {
    CertificateFiles files = files(issue("first"));
    files.load();
    write(issue("second"));

    CertificateFiles.Pair second = files.changed().orElseThrow();
    assertThat(files.changed()).as("not taken yet (say, the update failed): offered again at the next poll")
        .isPresent();
    files.using(second);
    assertThat(files.changed()).isEmpty();
  }

  @Test
  void aCertificateWithAnotherKeyIsRefused() throws Exception {
    CertificateFiles files = files(issue("first"));
    files.load();
    Files.writeString(dir.resolve("tls.crt"), issue("other").certificatePem());

    assertThatThrownBy(files::changed).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the private key does not belong to the certificate");
    assertThatThrownBy(files::load).as("nor served at start").isInstanceOf(IllegalArgumentException.class);
  }

  private CertificateFiles files(IssuedCertificate first) throws Exception {
    write(first);
    return new CertificateFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
  }

  private void write(IssuedCertificate serving) throws Exception {
    Files.writeString(dir.resolve("tls.crt"), serving.certificatePem());
    Files.writeString(dir.resolve("tls.key"), serving.privateKeyPem());
  }

  private static IssuedCertificate issue(String name) {
    return CA.issueServing(name, List.of("127.0.0.1"), Duration.ofHours(1));
  }
}
