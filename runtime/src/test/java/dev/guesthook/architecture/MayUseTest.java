package dev.guesthook.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaPackage;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.guesthook.MayUse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every package says in its package-info.java what it may use ({@link MayUse}), and uses nothing
 * else of the project: one test reads every package's own list, so a rule changes where the package
 * is.
 */
class MayUseTest {
  @Test
  void everyPackageSaysWhatItMayUse() {
    List<String> silent =
        packagesWithClasses().stream()
            .filter(p -> mayUse(p).isEmpty())
            .map(JavaPackage::getName)
            .toList();
    assertEquals(List.of(), silent, "packages without @MayUse in a package-info.java");
  }

  @Test
  void everyListNamesPackagesThatExist() {
    Set<String> existing =
        packagesWithClasses().stream().map(JavaPackage::getName).collect(Collectors.toSet());
    List<String> unknown = new ArrayList<>();
    for (JavaPackage pkg : packagesWithClasses()) {
      for (String named : mayUse(pkg).map(MayUse::value).orElse(new String[0])) {
        if (!existing.contains(MainClasses.project(named))) {
          unknown.add(pkg.getName() + " names \"" + named + "\"");
        }
      }
    }
    assertEquals(List.of(), unknown, "@MayUse entries that are not packages of the project");
  }

  @Test
  void noPackageUsesWhatItsListLeavesOut() {
    List<String> reports = new ArrayList<>();
    for (JavaPackage pkg : packagesWithClasses()) {
      mayUse(pkg)
          .map(allowed -> check(pkg, allowed))
          .filter(EvaluationResult::hasViolation)
          .ifPresent(result -> reports.add(result.getFailureReport().toString()));
    }
    assertEquals("", String.join("\n", reports), "uses that the package's @MayUse does not name");
  }

  private static EvaluationResult check(JavaPackage pkg, MayUse allowed) {
    String[] permitted =
        Stream.concat(
                Stream.of(pkg.getName(), MainClasses.PROJECT),
                Arrays.stream(allowed.value()).map(MainClasses::project))
            .toArray(String[]::new);
    return classes()
        .that()
        .resideInAPackage(pkg.getName())
        .should()
        .onlyDependOnClassesThat(
            resideOutsideOfPackage(MainClasses.PROJECT + "..").or(resideInAnyPackage(permitted)))
        .because(
            pkg.getName()
                + "'s package-info.java says @MayUse("
                + Arrays.toString(allowed.value())
                + ")")
        .evaluate(MainClasses.all());
  }

  private static Optional<MayUse> mayUse(JavaPackage pkg) {
    return pkg.tryGetAnnotationOfType(MayUse.class);
  }

  /** Packages below dev.guesthook holding classes (the root only holds {@link MayUse} itself). */
  private static Set<JavaPackage> packagesWithClasses() {
    Set<JavaPackage> packages = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
    for (JavaClass c : MainClasses.all()) {
      if (!c.getPackageName().equals(MainClasses.PROJECT)) {
        packages.add(c.getPackage());
      }
    }
    return packages;
  }
}
