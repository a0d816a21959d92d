package dev.guesthook.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the conformance scenarios inside the test bed guest, through guesthook's real host port
 * ({@link LinuxHost} over {@code /}), and writes each scenario's outcome lines as JSON.
 */
public final class GuestMain {
  private GuestMain() {}

  public static void main(String[] args) throws Exception {
    HostPort host = new LinuxHost(Path.of("/"));
    Baseline.restore(host);
    List<String> baseline = Baseline.snapshot(host);
    Map<String, List<String>> outcomes = new LinkedHashMap<>();
    for (Scenario scenario : Scenarios.all()) {
      Baseline.restore(host);
      List<String> before = Baseline.snapshot(host);
      outcomes.put(scenario.name(), before.equals(baseline)
          ? scenario.run(host)
          : List.of("the baseline was not restored before this scenario: " + before + " instead of " + baseline));
    }
    Baseline.restore(host);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(Path.of(args[0]).toFile(), outcomes);
  }
}
