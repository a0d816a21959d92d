package dev.guesthook.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.base.DescribedPredicate;
import org.junit.jupiter.api.Test;

/**
 * One JSON mapper ({@code json.Json.MAPPER}): every file the runtime writes agrees on what JSON is.
 */
class SharedJsonTest {
  private static final String JSON_PACKAGE = MainClasses.project("json");

  @Test
  void onlyTheJsonPackageMakesAMapper() {
    noClasses()
        .that()
        .resideOutsideOfPackage(JSON_PACKAGE)
        .should()
        .callConstructorWhere(
            DescribedPredicate.describe(
                "it makes an ObjectMapper",
                call -> call.getTargetOwner().isAssignableTo(ObjectMapper.class)))
        .because(
            "Json.MAPPER is the one mapper; a use with other settings takes a writer or reader from it")
        .check(MainClasses.all());
  }

  @Test
  void nobodyReconfiguresTheSharedMapper() {
    noClasses()
        .that()
        .resideOutsideOfPackage(JSON_PACKAGE)
        .should()
        .callMethodWhere(
            DescribedPredicate.describe(
                "it reconfigures an ObjectMapper",
                call ->
                    call.getTarget().getOwner().isAssignableTo(ObjectMapper.class)
                        && call.getTarget()
                            .getName()
                            .matches("configure|enable|disable|set.*|register.*|add.*")))
        .because("every user of Json.MAPPER would see the change")
        .check(MainClasses.all());
  }
}
