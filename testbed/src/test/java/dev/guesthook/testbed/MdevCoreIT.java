package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test bed's own mdev parent, gh_mdev, against the kernel's mtty sample, both on the real
 * kernel: for everything the mdev core decides (UUID parsing, duplicates, remove), both must answer
 * alike, or the conformance suite would be measuring our module instead of Linux.
 */
@ExtendWith(Testbed.class)
class MdevCoreIT {
  /** mtty's parent is a virtual device, not a PCI function: guesthook itself never uses it. */
  static final String MTTY_TYPES = "/sys/devices/virtual/mtty/mtty/mdev_supported_types";

  @Test
  void ghMdevAnswersAsTheKernelsOwnSampleDriver(TestbedVm vm) throws Exception {
    vm.run("modprobe -d /tb mtty && test -d " + MTTY_TYPES).orFail("loading the mtty sample");
    try {
      Map<String, List<String>> outcomes = GuestMain.outcomesIn(vm, "mdev-core");
      List<Scenario> core = Scenarios.mdevCore(Scenarios.TYPES, "gh_mdev-1", "gh_mdev-2");
      for (Scenario scenario : core) {
        assertEquals(
            answers(outcomes.get("mtty: " + scenario.name())),
            answers(outcomes.get("gh_mdev: " + scenario.name())),
            scenario.name() + ": gh_mdev (actual) answered otherwise than mtty (expected)");
      }
      System.err.printf(
          "[real-kernel suite] gh_mdev and mtty agree on %d mdev core scenarios%n", core.size());
    } finally {
      vm.run("rmmod mtty");
    }
  }

  /** The outcomes without the steps' paths, which name each parent's own types. */
  private static List<String> answers(List<String> lines) {
    return lines.stream().map(line -> line.substring(line.indexOf("  =>  ") + 6)).toList();
  }
}
