package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.OneShot;
import dev.guesthook.testsupport.RunningQemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gpu-release's reset strategies on the gpu-passthrough sandbox (VM 601: 0000:0b:00.0 GPU and
 * 0000:0b:00.1 audio), given reset methods here: the GPU flr and bus, the audio function flr.
 */
class GpuReleaseResetTest {
  static final PciAddress GPU = PciAddress.parse("0000:0b:00.0");
  static final PciAddress AUDIO = PciAddress.parse("0000:0b:00.1");

  @TempDir Path base;
  SandboxHost host;

  @BeforeEach
  void resettable() {
    host = new SandboxHost(base, SandboxProfile.GPU_PASSTHROUGH);
    SimulatedHost sim = SimulatedHost.sandbox(host.root);
    sim.sysfs().setSupportedResetMethods(GPU, List.of("flr", "bus"));
    sim.sysfs().setSupportedResetMethods(AUDIO, List.of("flr"));
  }

  @Test
  void theChosenOrderIsWrittenUsedAndPutBackBeforeTheGuestGetsTheGpu() {
    host.settings(
        601,
        "gpu-release: { reset: { when: pre-start, methods: [bus, flr], functions: [\"0000:0b:00.0\"] } }\n");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertTrue(
        start.err().contains("  [gpu-release] 0000:0b:00.0: reset with bus flr; it answers\n"),
        start::toString);
    assertEquals(
        List.of(
            "0000:0b:00.0/reset_method <- bus flr",
            "0000:0b:00.0/reset <- 1",
            "0000:0b:00.0/reset_method <- flr bus"),
        resetWrites(start));
    assertEquals("flr bus", host.read("sys/bus/pci/devices/0000:0b:00.0/reset_method"));
    assertEquals("vfio-pci", host.driver("0000:0b:00.0"));
  }

  @Test
  void withoutMethodsEachFunctionIsResetItsOwnWayAfterTheGuestAndBeforeTheHandBack() {
    host.settings(601, "gpu-release: { reset: { when: post-stop } }\n");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(List.of(), resetWrites(start), "post-stop only");
    Cli.Result stop = host.phase(601, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    assertEquals(List.of("0000:0b:00.0/reset <- 1", "0000:0b:00.1/reset <- 1"), resetWrites(stop));
    String log = stop.err();
    assertTrue(
        log.indexOf("0000:0b:00.0: reset with its own order (flr bus); it answers")
            < log.indexOf("0000:0b:00.0: back to amdgpu"),
        "reset on vfio-pci, then handed back: " + log);
    assertEquals("amdgpu", host.driver("0000:0b:00.0"));
  }

  @Test
  void aMethodAFunctionLacksRefusesTheStartNamingWhatItOffers() {
    host.settings(601, "gpu-release: { reset: { methods: [bus] } }\n");
    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        "gpu-release",
        "reset: 0000:0b:00.1 offers no 'bus' reset; it offers: flr; nothing was changed");
  }

  /**
   * A word that is no reset method is a settings error, refused with its file, line and column
   * (exit 2) like any other before a hook runs. Before, it passed the settings and the hook refused
   * the start (exit 1) naming only itself.
   */
  @Test
  void aNameThatIsNoResetMethodIsASettingsErrorWithItsLine() {
    host.settings(601, "gpu-release:\n  reset:\n    methods: [flr, flrr]\n");
    host.assertSettingsRefused(
        601,
        "pre-start",
        host.at("/etc/pve/guesthook/601.yaml")
            + ":3:20: gpu-release.reset.methods[1]: expected one of device_specific, acpi, flr,"
            + " af_flr, pm, bus, cxl_bus, found 'flrr'; did you mean 'flr'?");
  }

  @Test
  void aResetThatFailsRefusesTheStartAndPutsEverythingBack() {
    host.settings(601, "gpu-release: { reset: { methods: [flr] } }\n");
    host.faults().failWrite("/sys/bus/pci/devices/0000:0b:00.0/reset", "EIO");
    Cli.Result start =
        host.assertRefusedWithoutChange(
            601,
            "pre-start",
            "gpu-release",
            "0000:0b:00.0: reset failed before the guest got it: /sys/bus/pci/devices/0000:0b:00.0/reset:"
                + " Input/output error (injected fault); the start is refused");
    assertEquals("flr bus", host.read("sys/bus/pci/devices/0000:0b:00.0/reset_method"));
  }

  /**
   * The health gate's config check is off, standing in for a reset that kills the GPU: the start is
   * refused, and the GPU stays on vfio-pci (a host driver's probe of a device that does not answer
   * can hang), as after a guest; its audio function goes back. Before, the rollback gave the dead
   * GPU to amdgpu.
   */
  @Test
  void aGpuThatDoesNotAnswerAfterItsResetRefusesTheStartAndStaysOnVfio() {
    host.settings(
        601,
        "gpu-release: { reset: { when: pre-start } }\ndevice-health: { config-space: false }\n");
    host.faults().stopAnswering(GPU);

    Cli.Result start = host.phase(601, "pre-start");

    assertEquals(1, start.exitCode(), start::toString);
    String message = SandboxHost.hook(start, "gpu-release").get("message").asText();
    assertTrue(
        message.startsWith(
            "0000:0b:00.0: reset failed before the guest got it: does not answer after its reset"),
        message);
    assertTrue(
        message.contains("the start is refused; it does not answer, so it stays on vfio-pci"),
        message);
    assertEquals("vfio-pci", host.driver("0000:0b:00.0"));
    assertEquals("snd_hda_intel", host.driver("0000:0b:00.1"), "the audio function went back");
  }

  @Test
  void aGpuThatDoesNotAnswerAfterTheGuestIsReportedAndLeftOnVfio() {
    host.settings(601, "gpu-release: { reset: { when: post-stop } }\n");
    assertEquals(0, host.phase(601, "pre-start").exitCode());
    host.faults().stopAnswering(GPU);
    Cli.Result stop = host.phase(601, "post-stop");
    JsonNode hook = SandboxHost.hook(stop, "gpu-release");
    assertEquals("failed", hook.get("outcome").asText(), stop::toString);
    assertTrue(
        hook.get("message")
            .asText()
            .startsWith(
                "0000:0b:00.0: reset after the guest failed: does not answer after its reset"
                    + " (config space reads all-ones): it is lost to the host until a reboot or a"
                    + " remove and rescan; 0000:0b:00.0: not handed back to amdgpu: it does not"
                    + " answer after its reset; left on vfio-pci until a reboot (or a remove and"
                    + " rescan once it answers)"),
        hook::toString);
    assertEquals("vfio-pci", host.driver("0000:0b:00.0"));
    assertEquals("snd_hda_intel", host.driver("0000:0b:00.1"), "the audio function went back");
  }

  @Test
  void vendorResetsDeviceSpecificResetIsOfferedOnlyWithItsModuleLoaded() throws Exception {
    // A Polaris 10 (RX 580), which vendor-reset knows, in the Radeon's place.
    Path device = host.root.resolve("sys/bus/pci/devices/0000:0b:00.0/device").toRealPath();
    Files.writeString(device, "0x67df\n");
    host.settings(
        601,
        "gpu-release: { reset: { methods: [device_specific], functions: [\"0000:0b:00.0\"] } }\n");
    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        "gpu-release",
        "reset: 0000:0b:00.0 offers no 'device_specific' reset; it offers: flr bus (vendor-reset"
            + " knows this device: load its module vendor_reset); nothing was changed");

    Files.createDirectories(host.root.resolve("sys/module/vendor_reset"));
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals(
        List.of(
            "0000:0b:00.0/reset_method <- device_specific",
            "0000:0b:00.0/reset <- 1",
            "0000:0b:00.0/reset_method <- flr bus"),
        resetWrites(start));
  }

  @Test
  void checkSaysWhichFunctionsAStrategyWouldResetAndWhichItRefuses() {
    host.settings(601, "gpu-release: { reset: { methods: [flr, bus] } }\n");
    Map<String, String> before = host.snapshot();
    Cli.Result check = host.check(601);
    assertTrue(check.out().contains("0000:0b:00.0: reset with flr bus"), check::toString);
    assertTrue(
        check.out().contains("reset: 0000:0b:00.1 offers no 'bus' reset; it offers: flr"),
        check::toString);
    assertEquals(before, host.snapshot());
  }

  /** The hook's writes to reset and reset_method, as "<function>/<file> <- value". */
  static List<String> resetWrites(Cli.Result result) {
    List<String> out = new ArrayList<>();
    for (JsonNode call : SandboxHost.hook(result, "gpu-release").get("changes")) {
      String target = call.path("target").asText();
      if (call.path("kind").asText().equals("write")
          && (target.endsWith("/reset") || target.endsWith("/reset_method"))) {
        String[] parts = target.split("/");
        out.add(
            parts[parts.length - 2]
                + "/"
                + parts[parts.length - 1]
                + " <- "
                + call.path("value").asText().strip());
      }
    }
    return out;
  }

  /**
   * VM 602 names the GPU VM 601 runs with (two configs may share a GPU; one runs at a time): its
   * pre-start is refused before any change, and a post-stop of it (by hand, as a fix text says)
   * leaves the running guest's GPU alone. Before, both reset it, and the post-stop handed it to
   * amdgpu under the running guest.
   */
  @Test
  void aGpuARunningGuestHoldsIsNeitherTakenResetNorHandedBackForAnother() throws Exception {
    assertEquals(0, host.phase(601, "pre-start").exitCode());
    RunningQemu.plant(host.root, 601, 4242);
    host.write(
        "etc/pve/qemu-server/602.conf", "memory: 1024\nostype: l26\nhostpci0: 0000:0b:00,pcie=1\n");
    host.settings(602, "gpu-release: { driver: amdgpu, reset: { methods: [flr] } }\n");
    String resetMethods = host.read("sys/bus/pci/devices/0000:0b:00.0/reset_method");

    host.assertRefusedWithoutChange(
        602, "pre-start", "gpu-release", "0000:0b:00.0 is in use by running VM 601");
    Cli.Result stop = host.taskLog(602, "post-stop");

    assertTrue(
        stop.out().contains("0000:0b:00.0: in use by running VM 601; not reset, not handed back"),
        stop::toString);
    assertEquals("vfio-pci", host.driver("0000:0b:00.0"));
    assertEquals("vfio-pci", host.driver("0000:0b:00.1"));
    assertEquals(resetMethods, host.read("sys/bus/pci/devices/0000:0b:00.0/reset_method"));
  }

  /**
   * Each method once (the kernel's rule; with seven names, seven at most): a settings error with
   * its line, before the GPU leaves amdgpu.
   */
  @Test
  void aMethodNamedTwiceIsASettingsErrorWithItsLine() {
    host.settings(601, "gpu-release:\n  reset:\n    methods: [flr, bus, flr]\n");
    host.assertSettingsRefused(
        601,
        "pre-start",
        host.at("/etc/pve/guesthook/601.yaml")
            + ":3:25: gpu-release.reset.methods[2]: 'flr' is named twice (also"
            + " gpu-release.reset.methods[0]); name each once");
  }

  /**
   * A pre-start killed while the reset hangs, after the order was written: the reconcile puts the
   * GPU's reset_method back with its drivers. Before, it stayed 'bus', and a later 'flr' was
   * refused as a method the GPU does not offer.
   */
  @Test
  void aResetKilledMidWayHasItsMethodListPutBackByTheReconcile() throws Exception {
    host.settings(
        601, "gpu-release: { reset: { methods: [bus], functions: [\"0000:0b:00.0\"] } }\n");
    String methods = "sys/bus/pci/devices/0000:0b:00.0/reset_method";
    String before = host.read(methods);
    host.faults().hangWrite("/sys/bus/pci/devices/0000:0b:00.0/reset", 1);
    OneShot start =
        OneShot.start(
            List.of(
                "--root",
                host.root.toString(),
                "--simulate",
                "--hooks",
                SandboxHost.STOCK.toString(),
                "601",
                "pre-start"));
    for (int i = 0; i < 1200 && !host.read(methods).strip().equals("bus"); i++) {
      Thread.sleep(25);
    }
    assertEquals("bus", host.read(methods).strip(), "the order is written, the reset hangs");

    start.kill();
    Cli.Result reconcile =
        Cli.run(
            List.of(
                "--root",
                host.root.toString(),
                "--simulate",
                "--hooks",
                SandboxHost.STOCK.toString(),
                "reconcile"));

    assertEquals(0, reconcile.exitCode(), reconcile::toString);
    assertEquals(before, host.read(methods), reconcile::toString);
    assertEquals("amdgpu", host.driver("0000:0b:00.0"), reconcile::toString);
  }
}
