package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.host.sim.SimulatedHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario of {@link Scenarios} on the real kernel (in the guest, through {@code LinuxHost})
 * and on the simulator (a {@link TestbedSandbox}), one test each: the outcome lines must be equal.
 * The guest runs all scenarios in one JVM, the first time a test asks for them.
 */
@ExtendWith(Testbed.class)
class ConformanceIT {
  private static Map<String, List<String>> real;
  private static final AtomicInteger RUN = new AtomicInteger();
  private static final AtomicInteger AGREEING = new AtomicInteger();

  static List<Scenario> scenarios() {
    return Scenarios.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theSimulatorAnswersAsTheKernelDoes(Scenario scenario, TestbedVm vm, @TempDir Path sandbox)
      throws Exception {
    List<String> kernel = onTheRealKernel(vm).get(scenario.name());
    SimulatedHost sim = TestbedSandbox.create(sandbox);
    Baseline.restore(sim);
    List<String> simulator = scenario.run(sim);
    RUN.incrementAndGet();
    if (simulator.equals(kernel)) {
      AGREEING.incrementAndGet();
    }
    assertEquals(
        String.join("\n", kernel),
        String.join("\n", simulator),
        "the real kernel's outcome (expected) and the simulator's (actual) differ");
  }

  @AfterAll
  static void summary() {
    if (RUN.get() > 0) {
      System.err.printf(
          "[real-kernel suite] %d of %d scenarios agree%n", AGREEING.get(), RUN.get());
    }
  }

  private static synchronized Map<String, List<String>> onTheRealKernel(TestbedVm vm)
      throws Exception {
    if (real == null) {
      real = GuestMain.outcomesIn(vm, "conformance");
    }
    return real;
  }
}
