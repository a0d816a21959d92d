package dev.guesthook.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md's layers as rules: a forbidden import fails the build, naming the class, the line
 * and the class it reaches. Each package's own list of what it may use is {@link MayUseTest}.
 */
class LayeringTest {
  private static final String[] GROUND = packages("id", "files", "lock", "yaml", "json");
  private static final String[] DOMAIN =
      packages("pve..", "devices..", "journal..", "guest..", "hookapi..");
  private static final String[] APPLICATION =
      packages(
          "app..",
          "cluster..",
          "config..",
          "engine..",
          "metrics..",
          "page..",
          "record..",
          "journald..",
          "check..",
          "serve..",
          "install..",
          "sandbox..",
          "demo..",
          "cli..");

  /**
   * ARCHITECTURE.md's table, "The house, by layer": each layer may be used only by the layers above
   * it.
   */
  @Test
  void eachLayerIsUsedOnlyByTheLayersAboveIt() {
    check(
        Architectures.layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("application")
            .definedBy(packages("cli..", "serve..", "demo..", "install..", "sandbox.."))
            .layer("composition")
            .definedBy(packages("app.."))
            .layer("orchestration")
            .definedBy(
                packages(
                    "engine..",
                    "check..",
                    "record..",
                    "journald..",
                    "config..",
                    "cluster..",
                    "metrics..",
                    "page.."))
            .layer("domain")
            .definedBy(packages("hookapi..", "guest..", "journal..", "devices..", "pve.."))
            .layer("core")
            .definedBy(packages("core.."))
            .layer("port")
            .definedBy(packages("host.."))
            .layer("ground")
            .definedBy(packages("id..", "files..", "lock..", "yaml..", "json.."))
            .whereLayer("application")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("composition")
            .mayOnlyBeAccessedByLayers("application")
            .whereLayer("orchestration")
            .mayOnlyBeAccessedByLayers("application", "composition")
            .whereLayer("domain")
            .mayOnlyBeAccessedByLayers("application", "composition", "orchestration")
            .whereLayer("core")
            .mayOnlyBeAccessedByLayers("application", "composition", "orchestration", "domain")
            .whereLayer("port")
            .mayOnlyBeAccessedByLayers(
                "application", "composition", "orchestration", "domain", "core")
            .because("ARCHITECTURE.md's table: a layer uses only the layers below it"));
  }

  @Test
  void groundUsesNoOtherPartOfTheProject() {
    check(
        classes()
            .that()
            .resideInAnyPackage(GROUND)
            .should()
            .onlyDependOnClassesThat(outsideTheProjectOr(GROUND))
            .because("id, files, lock, yaml and json are the ground every layer stands on"));
  }

  @Test
  void thePortKnowsNoneOfItsImplementations() {
    check(
        noClasses()
            .that()
            .resideInAPackage(MainClasses.project("host"))
            .should()
            .dependOnClassesThat()
            .resideInAPackage(MainClasses.project("host.(*).."))
            .because(
                "host holds the port, its value types and decorators; trees, the real host and the"
                    + " simulator sit below it"));
  }

  @Test
  void fileTreesStandOnThePortAndTheGroundOnly() {
    check(
        classes()
            .that()
            .resideInAPackage(MainClasses.project("host.tree"))
            .should()
            .onlyDependOnClassesThat(
                outsideTheProjectOr(concat(GROUND, packages("host", "host.tree"))))
            .because("file trees serve the real host and the simulator alike"));
  }

  @Test
  void theRealHostAndTheSimulatorNeverMeet() {
    check(
        noClasses()
            .that()
            .resideInAPackage(MainClasses.project("host.real.."))
            .should()
            .dependOnClassesThat()
            .resideInAPackage(MainClasses.project("host.sim..")));
    check(
        noClasses()
            .that()
            .resideInAPackage(MainClasses.project("host.sim.."))
            .should()
            .dependOnClassesThat()
            .resideInAPackage(MainClasses.project("host.real..")));
  }

  @Test
  void theDomainNeverUsesTheApplication() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(DOMAIN)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(APPLICATION)
            .because(
                "commands, the engine and the server are built on the domain, not the other way"));
  }

  @Test
  void proxmoxSchemasAreDataBelowTheParsers() {
    check(
        noClasses()
            .that()
            .resideInAPackage(MainClasses.project("pve.schema"))
            .should()
            .dependOnClassesThat()
            .resideInAPackage(MainClasses.project("pve")));
  }

  @Test
  void noPackageCycles() {
    check(slices().matching(MainClasses.PROJECT + ".(**)").should().beFreeOfCycles());
  }

  private static void check(ArchRule rule) {
    rule.check(MainClasses.all());
  }

  /**
   * Anything outside dev.guesthook (the JDK, Vert.x, ...), the root package (@MayUse), or the given
   * packages.
   */
  private static DescribedPredicate<JavaClass> outsideTheProjectOr(String... allowed) {
    return resideOutsideOfPackage(MainClasses.PROJECT + "..")
        .or(resideInAnyPackage(concat(allowed, new String[] {MainClasses.PROJECT})));
  }

  private static String[] packages(String... relative) {
    return Arrays.stream(relative).map(MainClasses::project).toArray(String[]::new);
  }

  private static String[] concat(String[] a, String[] b) {
    return Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new);
  }
}
