package dev.guesthook.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The runtime's main classes, imported once for every rule (reading the class files takes seconds).
 */
final class MainClasses {
  static final String PROJECT = "dev.guesthook";

  private static JavaClasses classes;

  private MainClasses() {}

  static synchronized JavaClasses all() {
    if (classes == null) {
      classes =
          new ClassFileImporter()
              .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
              .importPackages(PROJECT);
    }
    return classes;
  }

  /** {@code "host.sim"} as the full package name. */
  static String project(String relative) {
    return PROJECT + "." + relative;
  }
}
