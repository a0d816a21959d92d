package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook vmstate VMID}: on the mixed sandbox, as an admin would ask before hibernating.
 */
class VmstateCommandTest {
  @TempDir Path base;
  Path root;

  @BeforeEach
  void mixedHost() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
  }

  private Cli.Result vmstate(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("--root", root.toString(), "--simulate"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  @Test
  void aVmOnASharedStorageHibernatesThere() {
    Cli.Result result = vmstate("--json", "vmstate", "502");
    assertEquals(0, result.exitCode(), result::toString);
    JsonNode doc = result.json();
    assertEquals("ceph-pool", doc.get("storage").asText());
    assertEquals("shared-disk", doc.get("rule").asText());
    assertEquals(true, doc.get("availableOnNode").asBoolean());
    assertEquals(2 * 8192 + 500, doc.get("sizeMiB").asInt());
  }

  @Test
  void aFileBasedStorageWithoutRoomFails() {
    Cli.Result result = vmstate("vmstate", "703");
    assertEquals(1, result.exitCode(), result::toString);
    assertTrue(
        result.out().contains("  space: FAIL only 12288 MiB free at /var/lib/vz; needs 16884 MiB"),
        result::toString);
  }

  /**
   * Outsider finding: 'shared yes' vanished without a word; Proxmox warns while reading storage.cfg
   * (rbd has no 'shared').
   */
  @Test
  void whatProxmoxWarnsAboutInTheFilesIsShownAsWarnings() throws Exception {
    Path cfg = root.resolve("etc/pve/storage.cfg");
    Files.writeString(
        cfg, Files.readString(cfg).replace("\tpool vm-pool\n", "\tpool vm-pool\n\tshared yes\n"));
    Cli.Result result = vmstate("vmstate", "502");
    assertTrue(
        result
            .out()
            .contains(
                "  warning: /etc/pve/storage.cfg:12: section 'ceph-pool' - unable to parse value of"
                    + " 'shared': unexpected property 'shared'\n"),
        result::toString);
    JsonNode warnings = vmstate("--json", "vmstate", "502").json().get("warnings");
    assertEquals(1, warnings.size(), warnings::toString);
  }

  /**
   * Outsider finding: a file-based storage whose path is not there was reported as "block storage".
   */
  @Test
  void aFileBasedStorageWhosePathIsMissingSaysSo() throws Exception {
    Path cfg = root.resolve("etc/pve/storage.cfg");
    Files.writeString(
        cfg,
        Files.readString(cfg)
            + "\ndir: fast-nvme\n\tpath /mnt/fast\n\tcontent images\n\tdisable\n");
    Files.writeString(
        root.resolve("etc/pve/qemu-server/703.conf"),
        "memory: 1024\nscsi0: fast-nvme:703/vm-703-disk-0.qcow2\n");
    Cli.Result result = vmstate("vmstate", "703");
    assertEquals(1, result.exitCode(), result::toString);
    assertTrue(
        result.out().contains("  node:  FAIL storage 'fast-nvme' is disabled\n"), result::toString);
    assertTrue(
        result.out().contains("  space: not checked (its path could not be measured); needs"),
        result::toString);
  }

  @Test
  void aStorageThatIsNotOnThisNodeFails() throws Exception {
    Path cfg = root.resolve("etc/pve/storage.cfg");
    Files.writeString(
        cfg,
        Files.readString(cfg).replace("\tpool vm-pool\n", "\tpool vm-pool\n\tnodes pve2,pve3\n"));
    Cli.Result result = vmstate("--json", "vmstate", "502");
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        "storage 'ceph-pool' is not available on node 'pve-sandbox'",
        result.json().get("reason").asText());
  }

  @Test
  void aHibernatedVmShowsWhereItsStateIs() {
    Cli.Result result = vmstate("vmstate", "701");
    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(
        result
            .out()
            .startsWith(
                "VM 701 is hibernated; its state local-lvm:vm-701-state-suspend-2026-11-20 is on"
                    + " 'local-lvm' (lvmthin, local)\n  next:  the next qm suspend --todisk would save the state on '"),
        result::toString);
    JsonNode doc = vmstate("--json", "vmstate", "701").json();
    assertEquals("local-lvm", doc.get("stateStorage").asText());
    assertEquals(true, doc.get("hibernated").asBoolean());
    assertTrue(
        doc.get("storage").isTextual() && !doc.get("rule").asText().equals("hibernated"),
        doc::toString);
  }

  @Test
  void anUnknownVmOrBadIdIsAUsageErrorAndNothingChanges() {
    Map<String, String> before = HostTree.snapshotOf(root);
    assertEquals(ExitCodes.USAGE, vmstate("vmstate", "999").exitCode());
    Cli.Result bad = vmstate("vmstate", "12x");
    assertEquals(ExitCodes.USAGE, bad.exitCode());
    assertEquals(
        "guesthook: error: invalid vmid '12x': expected an integer from 100 to 999999999\n",
        bad.err());
    assertEquals(before, HostTree.snapshotOf(root));
  }
}
