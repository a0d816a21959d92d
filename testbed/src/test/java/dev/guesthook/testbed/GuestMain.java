package dev.guesthook.testbed;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs scenarios inside the test bed guest, through guesthook's real host port ({@link LinuxHost}
 * over {@code /}), and writes each scenario's outcome lines as JSON: {@code GuestMain FILE
 * conformance} runs the conformance scenarios, {@code GuestMain FILE mdev-core} the mdev core's on
 * gh_mdev and on the kernel's mtty sample (keys prefixed with the parent's name).
 */
public final class GuestMain {
  private GuestMain() {}

  public static void main(String[] args) throws Exception {
    HostPort host = new LinuxHost(Path.of("/"));
    Baseline.restore(host);
    List<String> baseline = Baseline.snapshot(host);
    Map<String, List<String>> outcomes = new LinkedHashMap<>();
    for (Scenario scenario :
        args.length > 1 && args[1].equals("mdev-core") ? bothParents() : Scenarios.all()) {
      Baseline.restore(host);
      List<String> before = Baseline.snapshot(host);
      outcomes.put(
          scenario.name(),
          before.equals(baseline)
              ? scenario.run(host)
              : List.of(
                  "the baseline was not restored before this scenario: "
                      + before
                      + " instead of "
                      + baseline));
    }
    Baseline.restore(host);
    new ObjectMapper()
        .writerWithDefaultPrettyPrinter()
        .writeValue(Path.of(args[0]).toFile(), outcomes);
  }

  /** Runs {@code suite} ("conformance" or "mdev-core") in the guest and reads back its outcomes. */
  static Map<String, List<String>> outcomesIn(TestbedVm vm, String suite) throws IOException {
    Path results = vm.share().resolve(suite + ".json");
    Files.deleteIfExists(results);
    GuestJava.run(vm, GuestMain.class, Duration.ofMinutes(3), "/share/" + suite + ".json", suite)
        .orFail("the " + suite + " scenarios");
    return new ObjectMapper()
        .readValue(results.toFile(), new TypeReference<Map<String, List<String>>>() {});
  }

  private static List<Scenario> bothParents() {
    List<Scenario> both = new ArrayList<>();
    Scenarios.mdevCore(Scenarios.TYPES, "gh_mdev-1", "gh_mdev-2")
        .forEach(s -> both.add(named("gh_mdev", s)));
    Scenarios.mdevCore(MdevCoreIT.MTTY_TYPES, "mtty-1", "mtty-2")
        .forEach(s -> both.add(named("mtty", s)));
    return both;
  }

  private static Scenario named(String parent, Scenario scenario) {
    return new Scenario(parent + ": " + scenario.name(), scenario.steps());
  }
}
