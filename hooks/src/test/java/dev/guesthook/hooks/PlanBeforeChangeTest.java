package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start the host cannot satisfy changes nothing at all: each stock hook checks its whole plan
 * before its first change, and {@code guesthook check} asks the hooks the same questions
 * beforehand.
 */
class PlanBeforeChangeTest {
  @TempDir Path base;

  /** The hook failed without a single write or command: not rolled back, never begun. */
  static void noChangeMade(Cli.Result result, String hook) {
    JsonNode outcome = SandboxHost.hook(result, hook);
    assertEquals("failed", outcome.get("outcome").asText(), result::toString);
    assertEquals(0, outcome.get("changes").size(), () -> "no host change at all: " + outcome);
    assertEquals(0, outcome.get("undo").size(), () -> "nothing to undo: " + outcome);
  }

  static Cli.Result check(SandboxHost host, int vmid) {
    return host.check(vmid);
  }

  static List<String> lines(Cli.Result result, String status) {
    List<String> out = new ArrayList<>();
    result
        .json()
        .get("items")
        .forEach(
            item -> {
              if (item.get("status").asText().equals(status)) {
                out.add(item.get("subject").asText() + ": " + item.get("detail").asText());
              }
            });
    return out;
  }

  @Test
  void fourInstancesWhereTwoAreFreeCreateNone() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202,
        "mdev:\n  devices:\n"
            + "    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_4 }\n".repeat(4));
    Cli.Result result =
        host.assertRefusedWithoutChange(
            202,
            "pre-start",
            "mdev",
            "mdev.devices: 0000:00:02.0 has 2 free of 'i915-GVTg_V5_4', 4 asked for; nothing was changed");
    noChangeMade(result, "mdev");

    Cli.Result checked = check(host, 202);
    assertEquals(1, checked.exitCode(), checked::toString);
    assertTrue(
        lines(checked, "fail")
            .get(0)
            .startsWith(
                "hook mdev: mdev.devices: 0000:00:02.0 has 2 free of 'i915-GVTg_V5_4', 4 asked for; nothing was changed"),
        checked::toString);
  }

  @Test
  void checkNamesATypeTheGpuDoesNotOfferWithoutChangingAnything() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202, "mdev:\n  devices:\n    - { parent: \"0000:00:02.0\", type: i915-GVTg_V9 }\n");
    Map<String, String> before = host.snapshot();
    Cli.Result checked = check(host, 202);
    assertEquals(1, checked.exitCode(), checked::toString);
    assertTrue(
        lines(checked, "fail")
            .get(0)
            .startsWith(
                "hook mdev: mdev.devices: 0000:00:02.0 has no mdev type"
                    + " 'i915-GVTg_V9'; it offers: i915-GVTg_V5_4 (GVTg_V5_4), i915-GVTg_V5_8 (GVTg_V5_8)"),
        checked::toString);
    assertEquals(before, host.snapshot(), "check changes nothing");
  }

  @Test
  void checkPassesWhatFitsAndSaysWhatItWillMake() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    Cli.Result checked = check(host, 202);
    assertEquals(0, checked.exitCode(), checked::toString);
    assertTrue(
        lines(checked, "pass")
            .contains("hook mdev: 1 instance(s) fit: i915-GVTg_V5_4 on 0000:00:02.0"),
        checked::toString);
    assertTrue(
        lines(checked, "pass").contains("settings: every hook's settings fit its declaration"));
  }

  @Test
  void moreVfsThanThePfSupportsAreRefusedBeforeAnyChangeAndByCheck() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(502, "sriov-vf:\n  vfs:\n    - pf: \"0000:03:00.1\"\n      numvfs: 100\n");
    String why =
        "sriov-vf.vfs[0]: numvfs: 0000:03:00.1 supports at most 64 VFs (sriov_totalvfs); 100 asked for";
    noChangeMade(host.assertRefusedWithoutChange(502, "pre-start", "sriov-vf", why), "sriov-vf");
    Cli.Result checked = check(host, 502);
    assertEquals(1, checked.exitCode(), checked::toString);
    assertTrue(
        lines(checked, "fail").get(0).startsWith("hook sriov-vf: " + why), checked::toString);
  }

  @Test
  void moreFreeVfsThanThePfWillHaveAreRefusedBeforeTheCountIsRaised() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        502, "sriov-vf:\n  vfs:\n" + "    - { pf: \"0000:03:00.1\", numvfs: 2 }\n".repeat(3));
    noChangeMade(
        host.assertRefusedWithoutChange(
            502,
            "pre-start",
            "sriov-vf",
            "sriov-vf.vfs[0]: 0000:03:00.1 has 2 free VF(s), 3 asked for; raise its VF count (numvfs)"),
        "sriov-vf");
  }

  @Test
  void checkOfAGuestWithTyposReportsThemAsItsSettingsLine() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        501, "sriov-vf:\n  vfs:\n    - hostpci: 0\n      pf: \"0000:03:00.0\"\n      numvf: 4\n");
    Cli.Result checked = check(host, 501);
    assertEquals(1, checked.exitCode(), checked::toString);
    assertEquals(
        List.of(
            "settings: "
                + host.at("/etc/pve/guesthook/501.yaml")
                + ":5:7: sriov-vf.vfs[0].numvf: unknown setting; did you"
                + " mean 'numvfs'? (known: hostpci, pf, vf, mapping, numvfs, mac, vlan, trust, spoofchk)"),
        lines(checked, "fail"));
  }

  @Test
  void aVfNamedByIndexThatAnotherGuestHoldsIsRefusedAndItsLinkUntouched() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    assertEquals(0, host.phase(501, "pre-start").exitCode());
    String links = host.read(".simulator/vf-links/0000:03:00.0");
    host.settings(
        502,
        "sriov-vf:\n  vfs:\n    - { pf: \"0000:03:00.0\", numvfs: 4, vf: 1, mac: \"52:54:00:00:05:02\" }\n");
    noChangeMade(
        host.assertRefusedWithoutChange(
            502,
            "pre-start",
            "sriov-vf",
            "sriov-vf.vfs[0]: 0000:03:02.1 is another"
                + " guest's (its hostpciN, qemu-server's reservation or guesthook's journal)"),
        "sriov-vf");
    assertEquals(links, host.read(".simulator/vf-links/0000:03:00.0"), "VM 501's VF keeps its MAC");
  }

  @Test
  void twoEntriesNamingOneVfAreRefusedBeforeAnyChange() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        502,
        "sriov-vf:\n  vfs:\n    - { pf: \"0000:03:00.1\", numvfs: 2, vf: 1 }\n    - { pf: \"0000:03:00.1\", vf: 1 }\n");
    noChangeMade(
        host.assertRefusedWithoutChange(
            502, "pre-start", "sriov-vf", "sriov-vf.vfs[1]: names the same VF as sriov-vf.vfs[0]"),
        "sriov-vf");
  }

  @Test
  void morePathsOfAMappingThanItHasAreRefusedBeforeAnyChange() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        504,
        "sriov-vf:\n  vfs:\n"
            + "    - { mapping: x710-p1-vfs, pf: \"0000:03:00.1\", numvfs: 4 }\n".repeat(5));
    noChangeMade(
        host.assertRefusedWithoutChange(
            504,
            "pre-start",
            "sriov-vf",
            "sriov-vf.vfs[0]: mapping 'x710-p1-vfs' has 4 free VF(s) on this node, 5 asked for"),
        "sriov-vf");
  }

  @Test
  void anMdevTypeAskedForByNameAndByIdCountsAsOneType() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202,
        "mdev:\n  devices:\n    - { parent: \"0000:00:02.0\", type: GVTg_V5_4 }\n"
            + "    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_4 }\n".repeat(2));
    noChangeMade(
        host.assertRefusedWithoutChange(
            202,
            "pre-start",
            "mdev",
            "mdev.devices: 0000:00:02.0 has 2 free of 'i915-GVTg_V5_4', 3 asked for; nothing was changed"),
        "mdev");
  }

  @Test
  void entriesOfOnePfRaiseItOnceToTheMostAskedFor() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        502,
        "sriov-vf:\n  vfs:\n    - { pf: \"0000:03:00.1\", numvfs: 2 }\n"
            + "    - { pf: \"0000:03:00.1\", numvfs: 4, vf: 3 }\n    - { pf: \"0000:03:00.1\", vf: 0 }\n");
    Cli.Result start = host.phase(502, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals("4", host.read("sys/bus/pci/devices/0000:03:00.1/sriov_numvfs"));
    assertEquals(
        1,
        SandboxHost.hook(start, "sriov-vf").get("changes").findValuesAsText("target").stream()
            .filter(target -> target.endsWith("sriov_numvfs"))
            .count(),
        () -> "raised once: " + start);
  }

  @Test
  void aHostpciVfOfAnotherPfThanTheEntrySaysIsRefusedBeforeAnyChange() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    host.settings(
        501, "sriov-vf:\n  vfs:\n    - { hostpci: 0, pf: \"0000:03:00.0\", numvfs: 4 }\n");
    assertEquals(0, host.phase(501, "pre-start").exitCode());
    assertEquals(0, host.phase(501, "post-stop").exitCode());
    host.settings(
        501, "sriov-vf:\n  vfs:\n    - { hostpci: 0, pf: \"0000:03:00.1\", numvfs: 1 }\n");
    noChangeMade(
        host.assertRefusedWithoutChange(
            501,
            "pre-start",
            "sriov-vf",
            "sriov-vf.vfs[0]: hostpci 0000:03:02.1 is a VF of 0000:03:00.0, not of pf 0000:03:00.1"),
        "sriov-vf");
  }
}
