package dev.guesthook.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real-kernel suite's JUnit extension: hands tests the one {@link TestbedVm} of the run, booted
 * on first use and stopped when the run ends, or skips them, saying why and how to set the bed up,
 * on a machine where {@code testbed/setup} has not been run (no QEMU, no kernel).
 */
public final class Testbed implements BeforeEachCallback, ParameterResolver {
  static final String HOW_TO =
      "set it up with `testbed/setup` (Debian, root: QEMU from backports, a Debian kernel, about 300 MB), "
          + "then run `./mvnw verify` again";

  /** Whether the bed is there is asked once per run, not per test: it starts a QEMU process. */
  private static Optional<String> missing;

  private final Path dir =
      Path.of(System.getProperty("guesthook.testbed.dir", "testbed")).toAbsolutePath();

  Path dir() {
    return dir;
  }

  Path output() {
    return Path.of(
        Optional.ofNullable(System.getenv("GUESTHOOK_TESTBED"))
            .orElse(dir.resolve("target").toString()));
  }

  /**
   * Why the bed cannot run here, if it cannot. The skipped tests' assumption carries it, and the
   * build prints it once as one line per reason (testsupport.SkipSummary).
   */
  private Optional<String> missing() {
    synchronized (Testbed.class) {
      if (missing == null) {
        missing = lookForTheBed();
      }
      return missing;
    }
  }

  private Optional<String> lookForTheBed() {
    if (!Files.isRegularFile(output().resolve("ready"))) {
      return Optional.of(
          "the real-kernel test bed is not set up (no " + output().resolve("ready") + ")");
    }
    try {
      Process qemu =
          new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start();
      String version = new String(qemu.getInputStream().readAllBytes());
      return qemu.waitFor() == 0
          ? Optional.empty()
          : Optional.of("qemu-system-x86_64 failed: " + version);
    } catch (IOException e) {
      return Optional.of("qemu-system-x86_64 is not installed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /**
   * Each test is reported skipped, with the reason, so the build's counts show what did not run.
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    assumeSetUp();
  }

  private void assumeSetUp() {
    Optional<String> why = missing();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get() + ": " + HOW_TO);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestbedVm.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(Testbed.class))
        .getOrComputeIfAbsent(
            TestbedVm.class,
            key -> {
              try {
                TestbedVm vm = TestbedVm.boot(this);
                System.err.printf(
                    "[real-kernel suite] test bed VM up in %.1f s%n", vm.bootSeconds());
                return vm;
              } catch (IOException e) {
                throw new IllegalStateException(
                    "could not boot the test bed VM: " + e.getMessage(), e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while booting the test bed VM", e);
              }
            },
            TestbedVm.class);
  }
}
