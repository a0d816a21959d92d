package dev.guesthook.host.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.devices.PciDevices;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.TracingHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function's config space as the health gate reads it: the ids sysfs shows, ffff for a VF's (as
 * the test bed's kernel gives), and all-ones once the function stops answering, while sysfs keeps
 * its cached ids.
 */
class ConfigSpaceTest {
  static final PciAddress GPU = PciAddress.parse("0000:0b:00.0");
  static final PciAddress PF = PciAddress.parse("0000:03:00.0");
  static final PciAddress VF = PciAddress.parse("0000:03:02.0");

  @TempDir Path root;

  @Test
  void aFunctionsHeaderCarriesItsIdsClassAndSubsystem() throws IOException {
    SimulatedHost host = gpuHost();
    Sysfs sysfs = host.sysfs();

    String header = hex(host.readBytes(config(GPU), 64));

    assertEquals(64, header.length() / 2);
    assertEquals(
        le(sysfs.hexAttribute(GPU, "vendor")) + le(sysfs.hexAttribute(GPU, "device")),
        header.substring(0, 8));
    assertEquals(classBytes(sysfs.hexAttribute(GPU, "class")), header.substring(18, 24));
    assertEquals(
        le(sysfs.hexAttribute(GPU, "subsystem_vendor"))
            + le(sysfs.hexAttribute(GPU, "subsystem_device")),
        header.substring(0x2c * 2, 0x30 * 2));
    assertTrue(new PciDevices(host).configAnswers(GPU));
  }

  @Test
  void aVfReadsVendorAndDeviceFfffAndStillAnswers() throws Exception {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    SimulatedHost host = SimulatedHost.sandbox(root);
    host.write(SysfsPaths.device(PF, "sriov_numvfs"), "2");

    String header = hex(host.readBytes(config(VF), 12));

    assertEquals("ffffffff", header.substring(0, 8));
    assertEquals("8086", host.read(SysfsPaths.device(VF, "vendor")).strip().substring(2));
    assertTrue(new PciDevices(host).configAnswers(VF), "a healthy VF answers");
  }

  @Test
  void aFunctionThatStoppedAnsweringReadsAllOnesWhileSysfsKeepsItsIds() throws IOException {
    SimulatedHost host = gpuHost();
    String vendor = host.read(SysfsPaths.device(GPU, "vendor"));

    host.faults().stopAnswering(GPU);
    SimulatedHost anotherProcess = SimulatedHost.sandbox(root);

    assertEquals("ff".repeat(64), hex(anotherProcess.readBytes(config(GPU), 64)));
    assertFalse(new PciDevices(anotherProcess).configAnswers(GPU));
    assertEquals(vendor, anotherProcess.read(SysfsPaths.device(GPU, "vendor")));

    host.faults().answerAgain(GPU);
    assertTrue(new PciDevices(anotherProcess).configAnswers(GPU));
  }

  @Test
  void aDryRunReadsConfigSpaceAsTheHostUnderItAnswers() throws IOException {
    SimulatedHost host = gpuHost();
    host.faults().stopAnswering(GPU);

    assertFalse(new PciDevices(new DryRunHost(host)).configAnswers(GPU));
  }

  @Test
  void aRecordingShowsTheBytesInHex() throws IOException {
    SimulatedHost host = gpuHost();
    List<HostInteraction> seen = new ArrayList<>();

    byte[] bytes = new TracingHost(host, seen::add).readBytes(config(GPU), 4);

    assertEquals(HostInteraction.Kind.READ_BYTES, seen.get(0).kind());
    assertEquals(hex(bytes), seen.get(0).shownResult());
  }

  private SimulatedHost gpuHost() throws IOException {
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    return SimulatedHost.sandbox(root);
  }

  private static HostPath config(PciAddress function) {
    return SysfsPaths.device(function, "config");
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** A 16-bit id as config space stores it, little-endian. */
  private static String le(int id) {
    return HexFormat.of().toHexDigits((byte) id) + HexFormat.of().toHexDigits((byte) (id >> 8));
  }

  /** Prog-if, subclass, base class: the class attribute's bytes in reverse. */
  private static String classBytes(int classCode) {
    return HexFormat.of().toHexDigits((byte) classCode)
        + HexFormat.of().toHexDigits((byte) (classCode >> 8))
        + HexFormat.of().toHexDigits((byte) (classCode >> 16));
  }
}
