package io.sei.p2p.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** shared-model holds the API and pure rules only: no HTTP server, no API client, no operator framework. */
class ArchitectureTest {

  private final JavaClasses sharedModel = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.sei.p2p");

  @Test
  void sharedModelDoesNoIo() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "io.vertx..", "io.javaoperatorsdk..", "io.fabric8.kubernetes.client.dsl..",
            "io.fabric8.kubernetes.client.informers..", "io.fabric8.kubernetes.client.http..",
            "java.net.http..", "java.nio.file..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("io.fabric8.kubernetes.client.KubernetesClient")
        .because("decisions are pure functions over plain values; I/O lives in the webhook and controller")
        .check(sharedModel);
  }
}
