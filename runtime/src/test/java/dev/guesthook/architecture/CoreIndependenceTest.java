package dev.guesthook.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The hook core (event, dispatch, hook host, settings) knows nothing of Proxmox, devices or the
 * application: it may use the ground (ids, files, YAML), the host port, Vert.x and Groovy, and the
 * domain plugs into it (hook API contributions, services) instead of the core reaching out.
 */
@AnalyzeClasses(packages = "dev.guesthook", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreIndependenceTest {
  @ArchTest
  static final ArchRule coreKnowsNoDomainOrApplication =
      noClasses()
          .that()
          .resideInAPackage("dev.guesthook.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              // the domain
              "dev.guesthook.pve..",
              "dev.guesthook.devices..",
              "dev.guesthook.journal..",
              "dev.guesthook.lock..",
              "dev.guesthook.guest..",
              "dev.guesthook.hookapi..",
              // the application
              "dev.guesthook.config..",
              "dev.guesthook.engine..",
              "dev.guesthook.record..",
              "dev.guesthook.journald..",
              "dev.guesthook.check..",
              "dev.guesthook.serve..",
              "dev.guesthook.install..",
              "dev.guesthook.sandbox..",
              "dev.guesthook.demo..",
              "dev.guesthook.cli..")
          .because(
              "the core is the hook runtime any domain plugs into (ARCHITECTURE.md, \"Core and domain\")");
}
