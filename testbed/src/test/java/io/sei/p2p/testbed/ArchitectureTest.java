package io.sei.p2p.testbed;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The product's modules: the webhook and the controller share only shared-model and certs, never the testbed. */
class ArchitectureTest {

  private final JavaClasses product = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.sei.p2p");

  @Test
  void theWebhookAndTheControllerNeverUseEachOther() {
    noClasses().that().resideInAPackage("io.sei.p2p.webhook..")
        .should().dependOnClassesThat().resideInAPackage("io.sei.p2p.controller..")
        .because("each runs alone in its own image; what both need lives in shared-model")
        .check(product);
    noClasses().that().resideInAPackage("io.sei.p2p.controller..")
        .should().dependOnClassesThat().resideInAPackage("io.sei.p2p.webhook..")
        .because("each runs alone in its own image; what both need lives in shared-model")
        .check(product);
  }

  @Test
  void noProductCodeUsesTheTestbed() {
    noClasses().that().resideOutsideOfPackage("io.sei.p2p.testbed..")
        .should().dependOnClassesThat().resideInAPackage("io.sei.p2p.testbed..")
        .because("the testbed runs the product; the product never runs the testbed")
        .check(product);
  }
}
