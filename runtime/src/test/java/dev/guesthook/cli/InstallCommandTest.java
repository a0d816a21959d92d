package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.OneShot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guesthook install / uninstall on a node laid out as a sandbox, less its marker: the real host
 * port refuses a sandbox, as {@code qm} would act on the real node. {@code qm} cannot run here, so
 * a stand-in on PATH records its arguments (the only stand-in these tests use), and the test plays
 * qm's part in the guest config where a later step reads it.
 */
class InstallCommandTest {
  @TempDir Path base;
  Path root;
  Path qmLog;
  Map<String, String> withStandInQm;

  @BeforeEach
  void aNodeWhereVm501HasItsOwnHookscriptAnd502None() throws Exception {
    root = base.resolve("root");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Files.delete(SimulatedHost.SANDBOX_MARKER.under(root));
    Path snippets = Files.createDirectories(root.resolve("var/lib/vz/snippets"));
    Files.writeString(
        snippets.resolve("old-hook.pl"), "#!/usr/bin/perl\nprint \"old hook $ARGV[1]\\n\";\n");
    Files.setPosixFilePermissions(
        snippets.resolve("old-hook.pl"), PosixFilePermissions.fromString("rwxr-xr-x"));
    setHookscript(501, "local:snippets/old-hook.pl");
    setHookscript(502, null);
    Path bin = Files.createDirectories(base.resolve("bin"));
    qmLog = base.resolve("qm.log");
    Files.writeString(bin.resolve("qm"), "#!/bin/sh\necho \"qm $*\" >> '" + qmLog + "'\n");
    Files.setPosixFilePermissions(bin.resolve("qm"), PosixFilePermissions.fromString("rwxr-xr-x"));
    withStandInQm = Map.of("PATH", bin + ":" + System.getenv("PATH"));
  }

  @Test
  void installAttachesAndKeepsTheEarlierHookscriptAndUninstallPutsItBack() throws Exception {
    Cli.Result install = guesthook("install", "--vm", "501", "--vm", "502");
    assertEquals(0, install.exitCode(), install::toString);
    assertEquals(
        List.of(
            "qm set 501 --hookscript local:snippets/guesthook",
            "qm set 502 --hookscript local:snippets/guesthook"),
        Files.readAllLines(qmLog));
    Path client = root.resolve("var/lib/vz/snippets/guesthook");
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(client)));
    assertTrue(Files.readString(client).startsWith("#!/usr/bin/perl\n"), "the hookscript client");
    // Which launcher it falls back to: ClientScriptTest.
    Path copy = root.resolve("etc/guesthook/hooks.d/501/old-hook.pl");
    assertEquals(
        Files.readString(root.resolve("var/lib/vz/snippets/old-hook.pl")), Files.readString(copy));
    assertEquals(
        "rwxr-xr-x",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)),
        "it runs as a hook");

    setHookscript(501, "local:snippets/guesthook"); // what qm set did
    setHookscript(502, "local:snippets/guesthook");
    Files.delete(qmLog);
    Cli.Result uninstall = guesthook("uninstall", "--all");
    assertEquals(0, uninstall.exitCode(), uninstall::toString);
    assertEquals(
        List.of(
            "qm set 501 --hookscript local:snippets/old-hook.pl", "qm set 502 --delete hookscript"),
        Files.readAllLines(qmLog));
    assertTrue(Files.notExists(root.resolve("etc/guesthook/hooks.d/501")), "the copy is gone");
    assertTrue(Files.notExists(root.resolve("var/lib/guesthook/install/501.json")));
    assertTrue(
        uninstall.out().contains("unchanged: VM 503: guesthook install did not attach it"),
        uninstall::toString);
  }

  /**
   * qm refuses the second guest: what was done for the first (the client written, 501's hookscript
   * copied, attached and remembered) is taken back, newest first, so the node is as it was. Before,
   * the copy and 501's new hookscript stayed, and uninstall did not know them (an outsider's
   * finding).
   */
  @Test
  void aFailingStepTakesBackEverythingDoneBeforeIt() throws Exception {
    Files.writeString(
        base.resolve("bin/qm"),
        "#!/bin/sh\necho \"qm $*\" >> '"
            + qmLog
            + "'\n"
            + "case \"$*\" in 'set 502 '*) echo 'VM 502 is locked (backup)' >&2; exit 25;; esac\n");
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result install = guesthook("install", "--vm", "501", "--vm", "502");
    assertEquals(1, install.exitCode(), install::toString);
    assertEquals(
        List.of(
            "qm set 501 --hookscript local:snippets/guesthook",
            "qm set 502 --hookscript local:snippets/guesthook",
            "qm set 501 --hookscript local:snippets/old-hook.pl"),
        Files.readAllLines(qmLog));
    assertTrue(
        install
            .out()
            .contains(
                "qm set 502 --hookscript local:snippets/guesthook failed: VM 502 is locked (backup);"
                    + " taken back: VM 501: remember it in /var/lib/guesthook/install/501.json; VM 501: qm set 501 --hookscript"
                    + " local:snippets/guesthook; VM 501: copy its hookscript"),
        install::toString);
    Map<String, String> after = HostTree.snapshotOf(root);
    assertEquals(
        before,
        after,
        () -> "the node as it was; differs in " + HostTree.differences(before, after));
  }

  @Test
  void aStorageThatTakesNoSnippetsIsRefusedWithTheFixAndNothingChanges() throws Exception {
    Path storageCfg = root.resolve("etc/pve/storage.cfg");
    Files.writeString(
        storageCfg,
        Files.readString(storageCfg)
            .replace("content iso,vztmpl,backup,snippets", "content iso,vztmpl,backup"));
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result install = guesthook("install", "--all");
    assertEquals(1, install.exitCode(), install::toString);
    assertTrue(
        install
            .out()
            .contains(
                "refused: no storage on node pve-sandbox takes snippets; fix: pvesm set local"
                    + " --content backup,iso,vztmpl,snippets (or name another with --storage)"),
        install::toString);
    Cli.Result rbd = guesthook("install", "--storage", "ceph-pool", "--vm", "501");
    assertEquals(1, rbd.exitCode(), rbd::toString);
    assertTrue(rbd.out().contains("storage 'ceph-pool' (rbd) has no file path"), rbd::toString);
    assertTrue(Files.notExists(qmLog), "qm never ran");
    assertEquals(before, HostTree.snapshotOf(root));
  }

  @Test
  void aDryRunShowsThePlanAndChangesNothing() throws Exception {
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result plan = guesthook("--dry-run", "install", "--vm", "501");
    assertEquals(0, plan.exitCode(), plan::toString);
    assertEquals(
        """
        would write the hookscript client to /var/lib/vz/snippets/guesthook (mode 0755)
        would VM 501: copy its hookscript local:snippets/old-hook.pl to /etc/guesthook/hooks.d/501/old-hook.pl, where it runs as a hook (mode 0755, as it is)
        would VM 501: qm set 501 --hookscript local:snippets/guesthook
        would VM 501: remember it in /var/lib/guesthook/install/501.json
        """,
        plan.out());
    assertTrue(Files.notExists(qmLog));
    assertEquals(before, HostTree.snapshotOf(root));
  }

  /**
   * Proxmox refuses to run a hookscript that is not executable; its copy keeps that mode, so it
   * fails the same way.
   */
  @Test
  void aHookscriptProxmoxCouldNotExecuteIsCopiedAsItIsAndThePlanSaysSo() throws Exception {
    Files.setPosixFilePermissions(
        root.resolve("var/lib/vz/snippets/old-hook.pl"),
        PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result plan = guesthook("--dry-run", "install", "--vm", "501");
    assertEquals(0, plan.exitCode(), plan::toString);
    assertTrue(
        plan.out()
            .contains(
                "would VM 501: copy its hookscript local:snippets/old-hook.pl to"
                    + " /etc/guesthook/hooks.d/501/old-hook.pl, where it runs as a hook (mode 0644, as it is)\n"),
        plan::toString);
    assertTrue(
        plan.out()
            .contains(
                "VM 501: its hookscript local:snippets/old-hook.pl is not executable, so Proxmox refused"
                    + " to start the guest with it; the copy fails its phases the same way until"
                    + " 'chmod +x /etc/guesthook/hooks.d/501/old-hook.pl'"),
        plan::toString);

    Cli.Result install = guesthook("install", "--vm", "501");
    assertEquals(0, install.exitCode(), install::toString);
    Path copy = root.resolve("etc/guesthook/hooks.d/501/old-hook.pl");
    assertEquals(
        "rw-r--r--",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)),
        "not made executable");
  }

  @Test
  void aLocalStorageInAClusterIsAWarning() throws Exception {
    Files.createDirectories(root.resolve("etc/pve/nodes/pve-sandbox"));
    Files.createDirectories(root.resolve("etc/pve/nodes/pve2"));
    Cli.Result install = guesthook("--json", "install", "--vm", "502");
    assertEquals(0, install.exitCode(), install::toString);
    assertTrue(
        install
            .json()
            .get("warnings")
            .get(0)
            .asText()
            .startsWith("storage 'local' is not shared: a guest migrated"),
        install::toString);
  }

  @Test
  void badGuestIdsAreRefusedBeforeAnything() throws Exception {
    Cli.Result bad = guesthook("install", "--vm", "12x");
    assertEquals(2, bad.exitCode(), bad::toString);
    assertTrue(bad.out().contains("invalid vmid '12x'"), bad::toString);
    Cli.Result missing = guesthook("install", "--vm", "999");
    assertEquals(1, missing.exitCode(), missing::toString);
    assertTrue(
        missing.out().contains("refused: VM 999: no guest config on this node"), missing::toString);
    assertTrue(Files.notExists(qmLog));
    assertTrue(
        Files.notExists(root.resolve("var/lib/vz/snippets/guesthook")), "nothing was written");
  }

  private Cli.Result guesthook(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("--root", root.toString()));
    argv.addAll(List.of(args));
    return OneShot.start(withStandInQm, argv).await();
  }

  private void setHookscript(int vmid, String volume) throws Exception {
    Path conf = root.resolve("etc/pve/qemu-server/" + vmid + ".conf");
    String text = Files.readString(conf).replaceAll("(?m)^hookscript: .*\\n", "");
    Files.writeString(conf, volume == null ? text : "hookscript: " + volume + "\n" + text);
  }
}
