package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A fault or setting that could never do what the test means is refused where the test gives it,
 * not discovered as a test that passes without its fault.
 */
class LifecycleArgumentsTest {
  static final String NUMVFS = "/sys/bus/pci/devices/*/sriov_numvfs";

  @Test
  void aWriteFaultFiresAtLeastOnceOnAnAbsoluteHostPathWithAKnownErrno() {
    refused(() -> Lifecycle.of(402).failWrite(NUMVFS, "EBUSY", 0), "times");
    refused(() -> Lifecycle.of(402).failWrite(NUMVFS, "EBUSY", -3), "times");
    refused(() -> Lifecycle.of(402).failWrite("", "EBUSY"), "'': ");
    refused(() -> Lifecycle.of(402).failWrite("[", "EBUSY"), "'[': ");
    refused(() -> Lifecycle.of(402).failWrite("relative/x", "EBUSY"), "'relative/x': ");
    refused(() -> Lifecycle.of(402).failWrite(null, "EBUSY"), "glob");
    refused(() -> Lifecycle.of(402).failWrite(NUMVFS, null), "errno");
    refused(() -> Lifecycle.of(402).failWrite(NUMVFS, "EWHAT"), "EBUSY");
  }

  @Test
  void aCommandFaultNamesACommandAndASlowWriteIsSlowAtLeastOnce() {
    refused(() -> Lifecycle.of(402).failCommand("", 1, "x"), "command");
    refused(() -> Lifecycle.of(402).failCommand(" ", 1, "x"), "command");
    refused(() -> Lifecycle.of(402).failCommand(null, 1, "x"), "command");
    refused(() -> Lifecycle.of(402).delayWrite(NUMVFS, -1, 1), "millis");
    refused(() -> Lifecycle.of(402).delayWrite(NUMVFS, 10, 0), "times");
    refused(() -> Lifecycle.of(402).delayWrite("sys/x", 10, 1), "'sys/x': ");
  }

  @Test
  void settingsAreOnlyWhatAYamlFileCanSayPlainly() {
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("when", new Date())),
        "h.when: a java.util.Date");
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("price", new BigDecimal("1.50"))),
        "h.price: a java.math.BigDecimal");
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("dir", new File("/tmp"))),
        "h.dir: a java.io.File");
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("a", Map.of("b", List.of("x\0y")))),
        "h.a.b[0]: a string with a NUL");
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("s", "x\uD800")),
        "h.s: a string with a lone surrogate");
    refused(
        () -> Lifecycle.of(402).settings("h", Map.of("m", Map.of(1, "x"))),
        "h.m: a map key of type java.lang.Integer");
    Lifecycle.of(402)
        .settings(
            "h",
            Map.of(
                "s",
                "text",
                "b",
                true,
                "i",
                1,
                "l",
                2L,
                "big",
                BigInteger.TEN,
                "d",
                1.5,
                "f",
                2.5f,
                "list",
                List.of(1, "x"),
                "map",
                Map.of("k", false)));
  }

  private static void refused(Executable call, String part) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, call);
    assertTrue(refused.getMessage().contains(part), refused.getMessage());
  }
}
