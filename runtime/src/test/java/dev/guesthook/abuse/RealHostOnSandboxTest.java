package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forgotten {@code --simulate}: the real host port must not run real commands against a sandbox's
 * fake devices.
 */
class RealHostOnSandboxTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path base;

  @Test
  void aPhaseOnASandboxWithoutSimulateIsRefusedAndRunsNothing() throws Exception {
    Path sandbox = base.resolve("pve");
    Sandbox.create(sandbox, SandboxProfile.SRIOV_NIC);
    Path proof = base.resolve("legacy-hookscript-ran");
    Path hooks = Files.createDirectories(base.resolve("hooks"));
    Path legacy = hooks.resolve("10-legacy.sh");
    Files.writeString(legacy, "#!/bin/sh\necho \"$@\" > '" + proof + "'\n");
    Files.setPosixFilePermissions(legacy, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> before = HostTree.snapshotOf(sandbox);

    Cli.Result result =
        Cli.run(
            List.of(
                "--root",
                sandbox.toString(),
                "--hooks",
                STOCK.toString(),
                "--hooks",
                hooks.toString(),
                "501",
                "pre-start"));

    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertTrue(result.err().contains(sandbox + " is a sandbox"), result::toString);
    assertTrue(result.err().contains("use --simulate"), result::toString);
    assertEquals(before, HostTree.snapshotOf(sandbox), "the sandbox is byte-identical");
    assertFalse(Files.exists(sandbox.resolve(HostTree.HOOK_CACHE)), "no hook was even compiled");
    assertFalse(Files.exists(proof), "the legacy hookscript did not run");
  }

  /**
   * Listing a sandbox's hooks acts on nothing, so it needs no --simulate: it was refused with "use
   * --simulate to act on its simulated kernel" (outsider pass).
   */
  @Test
  void listingASandboxsHooksNeedsNoSimulateAndChangesNothing() throws Exception {
    Path sandbox = base.resolve("pve");
    Sandbox.create(sandbox, SandboxProfile.SRIOV_NIC);
    Map<String, String> before = HostTree.snapshotOf(sandbox);

    Cli.Result result =
        Cli.run(
            List.of(
                "--root", sandbox.toString(), "--hooks", STOCK.toString(), "hooks", "--settings"));

    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(result.out().contains("sriov-vf"), result::toString);
    assertTrue(result.out().contains("cleanup-wait"), "settings listed: " + result);
    assertEquals(before, HostTree.snapshotOf(sandbox), "the sandbox is byte-identical");
  }
}
