package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.sim.SimulatedHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of {@link Scenarios} on the real kernel (in the guest, through {@code LinuxHost}) and
 * on the simulator (a {@link TestbedSandbox}), one test each: the outcome lines must be equal.
 */
@ExtendWith(Testbed.class)
class ConformanceIT {
  @TestFactory
  Stream<DynamicTest> theSimulatorAnswersAsTheKernelDoes(TestbedVm vm, @TempDir Path sandboxes) throws Exception {
    Map<String, List<String>> real = onTheRealKernel(vm);
    List<Scenario> scenarios = Scenarios.all();
    int agreeing = 0;
    for (int i = 0; i < scenarios.size(); i++) {
      if (onTheSimulator(scenarios.get(i), sandboxes.resolve("s" + i)).equals(real.get(scenarios.get(i).name()))) {
        agreeing++;
      }
    }
    System.err.printf("[real-kernel suite] %d of %d scenarios agree%n", agreeing, scenarios.size());
    return java.util.stream.IntStream.range(0, scenarios.size()).mapToObj(i -> {
      Scenario scenario = scenarios.get(i);
      return dynamicTest(scenario.name(), () -> assertEquals(
          String.join("\n", real.get(scenario.name())),
          String.join("\n", onTheSimulator(scenario, sandboxes.resolve("t" + i))),
          "the real kernel's outcome (expected) and the simulator's (actual) differ"));
    });
  }

  private static Map<String, List<String>> onTheRealKernel(TestbedVm vm) throws Exception {
    Path results = vm.share().resolve("conformance.json");
    Files.deleteIfExists(results);
    GuestJava.run(vm, GuestMain.class, Duration.ofMinutes(3), "/share/conformance.json")
        .orFail("the conformance scenarios");
    return new ObjectMapper().readValue(results.toFile(), new TypeReference<Map<String, List<String>>>() {});
  }

  private static List<String> onTheSimulator(Scenario scenario, Path root) {
    SimulatedHost sim = TestbedSandbox.create(root);
    Baseline.restore(sim);
    return scenario.run(sim);
  }
}
