package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code guesthook demo} of this checkout: the example VMs' lifecycles on a throwaway simulated
 * host, with the stock hooks and examples/hooks. (examples/ itself is a hook author's project,
 * which knows nothing of the checkout.)
 */
class DemoTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  @BeforeAll
  static void fromThisCheckout() {
    System.setProperty("guesthook.home", HOME.toString());
  }

  @AfterAll
  static void asTheLauncherLeftIt() {
    System.clearProperty("guesthook.home");
  }

  private static List<Path> demoSandboxes() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("guesthook-demo-")).toList();
    }
  }

  @Test
  void demoTellsEveryStoryOnAThrowawaySandbox() throws Exception {
    List<Path> before = demoSandboxes();
    Cli.Result result = Cli.run(List.of("demo"));
    assertEquals(0, result.exitCode(), result::toString);
    String out = result.out();
    for (String expected :
        List.of(
            " VMs on simulated host over ",
            "  [mdev] 0000:00:02.0: mdev /sys/bus/mdev/devices/00001000-0000-0000-0000-000000000202 (i915-GVTg_V5_4)",
            "  [mdev] 0000:41:00.0: vGPU on VF 0000:41:00.4 (NVIDIA L40S-8Q)",
            "   [proxmox] waited 10 seconds for mediated device driver finishing clean up\n"
                + "   [proxmox] actively clean up mediated device with UUID 00000000-0000-0000-0000-000000000301\n",
            "   [proxmox] cleanup_pci_devices: vGPU type of 0000:41:00.4 set back to 0\n",
            "  [sriov-vf] 0000:03:02.1 (VF 1 of 0000:03:00.0): vfio-pci, mac 52:54:00:5a:01:01, vlan 100",
            "guesthook: VM 502 pre-start (incoming-migration) on pve-sandbox",
            "guesthook: VM 701 pre-start (resume) on pve-sandbox",
            "      undo restore cpu2 governor powersave: ok",
            "guesthook: VM 702 post-stop (hibernation) on pve-sandbox",
            "recorded events through the same hooks: ",
            "nothing on this machine was changed but the compiled-hook cache in ")) {
      assertTrue(out.contains(expected), "missing '" + expected + "' in\n" + out);
    }
    assertTrue(!out.contains("VM 503 post-start"), "an aborted start has no later phases");
    assertTrue(
        !out.contains("that Proxmox left"),
        "since qemu-server 9.1.13 post-stop runs after Proxmox's own cleanup");
    assertTrue(!out.contains(" DIFFER"), "the demo's own recordings replay in agreement");
    assertEquals(before, demoSandboxes(), "the demo's sandbox is deleted afterwards");
  }
}
