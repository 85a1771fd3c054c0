package io.sei.p2p.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * shared-model holds the API and pure rules only (no HTTP server, no API client, no operator framework), in layers
 * that each use only the ones below: model; config and net; resources (desired objects); peers; validation.
 */
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

  @Test
  void eachPackageUsesOnlyTheLayersBelowIt() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("model").definedBy("io.sei.p2p.model..")
        .layer("config").definedBy("io.sei.p2p.config..")
        .layer("net").definedBy("io.sei.p2p.net..")
        .layer("resources").definedBy("io.sei.p2p.resources..")
        .layer("peers").definedBy("io.sei.p2p.peers..")
        .layer("validation").definedBy("io.sei.p2p.validation..")
        .whereLayer("model").mayNotAccessAnyLayer()
        .whereLayer("config").mayOnlyAccessLayers("model")
        .whereLayer("net").mayOnlyAccessLayers("model", "config")
        .whereLayer("resources").mayOnlyAccessLayers("model", "config")
        .whereLayer("peers").mayOnlyAccessLayers("model", "net", "resources")
        .whereLayer("validation").mayOnlyAccessLayers("model", "config", "net", "resources", "peers")
        .because("the API is the floor, desired objects and peer resolution build on it, and validation on all")
        .check(sharedModel);
  }
}
