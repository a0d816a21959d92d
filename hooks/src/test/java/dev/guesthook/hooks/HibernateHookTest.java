package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stock/hibernate.groovy on the mixed sandbox: VM 702 has a GVT-g slice and hibernates; each phase
 * its own process.
 */
class HibernateHookTest {
  static final String CONF = "etc/pve/qemu-server/702.conf";
  static final String STATE = "local-lvm:vm-702-state-suspend-2026-11-24";

  @TempDir Path base;
  SandboxHost host;

  @BeforeEach
  void startedAndHibernated() {
    host = new SandboxHost(base, SandboxProfile.MIXED);
    assertEquals(0, host.phase(702, "pre-start").exitCode());
    host.write(
        CONF,
        "lock: suspended\n"
            + host.read(CONF)
            + "\nvmstate: "
            + STATE
            + "\n"); // qm suspend --todisk
    Cli.Result hibernation = host.phase(702, "post-stop");
    assertEquals(0, hibernation.exitCode(), hibernation::toString);
  }

  @Test
  void theResumeFindsItsStorageAndTheSameDevices() {
    assertTrue(
        host.read("var/lib/guesthook/hibernate/702.json").contains("\"storage\" : \"local-lvm\""));
    Cli.Result resume = host.phase(702, "pre-start");
    assertEquals(0, resume.exitCode(), resume::toString);
    assertEquals("ok", SandboxHost.hook(resume, "hibernate").get("outcome").asText());

    host.write(
        CONF,
        host.read(CONF).replace("lock: suspended\n", "").replace("vmstate: " + STATE, "") + "\n");
    Cli.Result running = host.phase(702, "post-start");
    assertEquals(0, running.exitCode(), running::toString);
    assertTrue(Files.exists(host.root.resolve("var/lib/guesthook/hibernate/702.resumed.json")));
    assertTrue(Files.notExists(host.root.resolve("var/lib/guesthook/hibernate/702.json")));
  }

  @Test
  void otherDevicesAtResumeFailTheStartAndAreUndone() {
    host.settings(
        702, "mdev:\n  devices:\n    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_4 }\n");
    host.assertRefusedWithoutChange(
        702,
        "pre-start",
        "hibernate",
        "VM 702 was hibernated with other devices than it gets now: vGPUs/mdevs were [[gpu:0000:00:02.0,"
            + " type:i915-GVTg_V5_8");
  }

  @Test
  void aStateStorageThatIsDisabledNowFailsTheResume() {
    host.write(
        "etc/pve/storage.cfg",
        host.read("etc/pve/storage.cfg").replace("\tvgname pve\n", "\tvgname pve\n\tdisable\n")
            + "\n");
    host.assertRefusedWithoutChange(
        702,
        "pre-start",
        "hibernate",
        "the saved state " + STATE + " cannot be read here: storage 'local-lvm' is disabled");
  }
}
