package dev.guesthook.host.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.devices.MediatedDevices;
import dev.guesthook.devices.PciDevices;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.SandboxBuilder;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.MemoryTempDir;
import dev.guesthook.testsupport.SandboxCopies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulated kernel, driven only through the host port (write, read, list, readLink, run) the
 * way guesthook drives a real node. Expectations are the real kernel's:
 * drivers/vfio/mdev/mdev_sysfs.c and mdev_core.c for mediated devices, drivers/pci/iov.c for
 * SR-IOV, drivers/base/bus.c and drivers/pci/pci-driver.c for driver binding, fs/sysfs/file.c for
 * how a write reaches a store, and iproute2 for {@code ip link}.
 */
class SimulatedKernelTest {
  @TempDir(factory = MemoryTempDir.class)
  Path dir;

  /** Each profile is built once with {@link SandboxBuilder}; every test gets its own copy of it. */
  @TempDir(factory = MemoryTempDir.class)
  static Path templates;

  private static final Map<SandboxProfile, Path> BUILT =
      new java.util.EnumMap<>(SandboxProfile.class);

  @BeforeAll
  static void noTemplatesYet() {
    BUILT.clear();
  }

  // --- hosts -----------------------------------------------------------------------------------

  private SimulatedHost sandbox(SandboxProfile profile) {
    Path template;
    synchronized (BUILT) {
      template =
          BUILT.computeIfAbsent(
              profile,
              p -> {
                Path root = templates.resolve(p.id());
                p.writeTo(SandboxBuilder.at(root, p.id()));
                return root;
              });
    }
    SandboxCopies.copyTree(template, dir);
    return SimulatedHost.sandbox(dir);
  }

  private static HostPath device(String address) {
    return SysfsPaths.device(PciAddress.parse(address));
  }

  private static HostPath device(String address, String attribute) {
    return SysfsPaths.device(PciAddress.parse(address), attribute);
  }

  private static HostException fails(String errno, Executable write) {
    return fails(errno, write, "the kernel fails this write with " + errno);
  }

  private static HostException fails(String errno, Executable write, String why) {
    HostException error = assertThrows(HostException.class, write, why);
    assertEquals(errno, error.errno(), error.getMessage());
    return error;
  }

  private static String shown(String value) {
    return dev.guesthook.id.Printable.of(value);
  }

  private static String trimmed(SimulatedHost host, HostPath path) {
    return host.read(path).strip();
  }

  private static String linkName(SimulatedHost host, HostPath link) {
    return host.readLink(link).map(HostPath::name).orElse("(no link)");
  }

  // --- mediated devices (GVT_G: 0000:00:02.0, i915-GVTg_V5_4 with 2 instances) -------------------

  private static final PciAddress IGPU = PciAddress.parse("0000:00:02.0");
  private static final MdevType V5_4 = new MdevType("i915-GVTg_V5_4");
  private static final HostPath V5_4_DIR = SysfsPaths.mdevType(IGPU, V5_4);
  private static final HostPath V5_4_CREATE = V5_4_DIR.resolve("create");
  private static final HostPath V5_4_AVAILABLE = V5_4_DIR.resolve("available_instances");
  private static final String UUID_A = "5f2a3c1e-9b7d-4e21-8c3a-0123456789ab";
  private static final String UUID_B = "00000000-0000-0000-0000-000000000201";
  private static final String UUID_C = "00000001-0000-0000-0000-000000000201";

  private static HostPath mdev(String uuid) {
    return SysfsPaths.MDEV_DEVICES.resolve(uuid);
  }

  @Test
  void mdevCreateMakesTheBusDeviceWithAnMdevTypeLinkToItsType() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);

    assertTrue(host.exists(mdev(UUID_A)));
    HostPath type = host.readLink(mdev(UUID_A).resolve("mdev_type")).orElseThrow();
    assertEquals("i915-GVTg_V5_4", type.name());
    assertEquals("mdev_supported_types", type.parent().name());
    assertEquals(IGPU.value(), type.parent().parent().name());
    assertEquals(List.of(UUID_A), host.list(V5_4_DIR.resolve("devices")));
  }

  @Test
  void mdevCreateTakesOneOfTheTypesAvailableInstances() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    assertEquals("2", trimmed(host, V5_4_AVAILABLE));
    host.write(V5_4_CREATE, UUID_A);
    assertEquals("1", trimmed(host, V5_4_AVAILABLE));
  }

  /** mdevctl-style table: what {@code echo VALUE > create} does (create_store, uuid_is_valid). */
  static Stream<Arguments> createValues() {
    return Stream.of(
        Arguments.of("plain UUID", UUID_A, UUID_A),
        Arguments.of("UUID with echo's newline", UUID_A + "\n", UUID_A),
        Arguments.of(
            "upper-case UUID (isxdigit; the device is named %pUl, lower case)",
            UUID_A.toUpperCase(Locale.ROOT), UUID_A),
        Arguments.of("Proxmox hostpci0 UUID of VM 201", UUID_B, UUID_B),
        Arguments.of("not a UUID", "not-a-uuid", "EINVAL"),
        Arguments.of("32 hex digits without dashes", UUID_A.replace("-", ""), "EINVAL"),
        Arguments.of("one digit short", UUID_A.substring(1), "EINVAL"),
        Arguments.of("non-hex digit", UUID_A.replace('f', 'g'), "EINVAL"),
        Arguments.of("braces", "{" + UUID_A + "}", "EINVAL"),
        Arguments.of(
            "leading space (37 bytes, but byte 0 is not a hex digit)", " " + UUID_A, "EINVAL"));
  }

  @ParameterizedTest(name = "mdev create with {0}")
  @MethodSource("createValues")
  void mdevCreateAcceptsOnlyAUuid(String description, String written, String outcome) {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    if (outcome.startsWith("E")) {
      fails(
          outcome,
          () -> host.write(V5_4_CREATE, written),
          "writing '" + shown(written) + "' to create fails with " + outcome);
      assertEquals(List.of(), host.list(SysfsPaths.MDEV_DEVICES));
      assertEquals("2", trimmed(host, V5_4_AVAILABLE));
    } else {
      assertDoesNotThrow(
          () -> host.write(V5_4_CREATE, written), "the kernel takes '" + shown(written) + "'");
      assertEquals(List.of(outcome), host.list(SysfsPaths.MDEV_DEVICES));
    }
  }

  @Test
  void mdevCreateOfAUuidInUseIsEexist() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    fails("EEXIST", () -> host.write(V5_4_CREATE, UUID_A));
    assertEquals("1", trimmed(host, V5_4_AVAILABLE));
  }

  @Test
  void mdevCreateOfAUuidInUseUnderAnotherTypeIsEexist() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    fails(
        "EEXIST",
        () ->
            host.write(
                SysfsPaths.mdevType(IGPU, new MdevType("i915-GVTg_V5_8")).resolve("create"),
                UUID_A));
  }

  @Test
  void mdevCreateOnAnExhaustedTypeIsEnospc() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    host.write(V5_4_CREATE, UUID_B);
    assertEquals("0", trimmed(host, V5_4_AVAILABLE));
    fails("ENOSPC", () -> host.write(V5_4_CREATE, UUID_C));
    assertFalse(host.exists(mdev(UUID_C)));
  }

  @Test
  void mdevCreateOfAnUnknownTypeIsEnoent() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    fails(
        "ENOENT",
        () ->
            host.write(
                SysfsPaths.mdevType(IGPU, new MdevType("i915-GVTg_V9_9")).resolve("create"),
                UUID_A));
    assertFalse(host.exists(mdev(UUID_A)));
  }

  @Test
  void mdevCreateOfAnUnknownTypeIsEnoentEvenForAMalformedUuid() {
    // open(2) of the absent attribute fails before any store function sees the value.
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    fails(
        "ENOENT",
        () ->
            host.write(
                SysfsPaths.mdevType(IGPU, new MdevType("i915-GVTg_V9_9")).resolve("create"),
                "junk"));
  }

  @Test
  void mdevCreateUnderAnAbsentParentDeviceIsEnoent() {
    // /sys/bus/pci/devices/0000:00:03.0 does not exist, so neither does .../create: open(2) says
    // ENOENT.
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    fails(
        "ENOENT",
        () ->
            host.write(
                SysfsPaths.mdevType(PciAddress.parse("0000:00:03.0"), V5_4).resolve("create"),
                UUID_A));
  }

  @Test
  void mdevRemoveOfOneDeletesTheInstance() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    host.write(mdev(UUID_A).resolve("remove"), "1");
    assertFalse(host.exists(mdev(UUID_A)));
    assertEquals(List.of(), host.list(SysfsPaths.MDEV_DEVICES));
    assertEquals(List.of(), host.list(V5_4_DIR.resolve("devices")));
    assertFalse(host.list(SysfsPaths.device(IGPU)).contains(UUID_A));
  }

  @Test
  void mdevRemoveGivesTheInstanceBackToTheType() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    host.write(mdev(UUID_A).resolve("remove"), "1\n");
    assertEquals("2", trimmed(host, V5_4_AVAILABLE));
    host.write(V5_4_CREATE, UUID_A);
    assertTrue(host.exists(mdev(UUID_A)), "the UUID is free again");
  }

  @Test
  void mdevRemoveOfZeroDoesNothing() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    host.write(mdev(UUID_A).resolve("remove"), "0");
    assertTrue(host.exists(mdev(UUID_A)));
    assertEquals("1", trimmed(host, V5_4_AVAILABLE));
  }

  @Test
  void mdevCreateOfAUuidInUseOnAnotherParentIsEexist() {
    SimulatedHost host = sandbox(SandboxProfile.MIXED);
    host.write(V5_4_CREATE, UUID_A);
    HostPath t4Create =
        SysfsPaths.mdevType(PciAddress.parse("0000:3b:00.0"), new MdevType("nvidia-231"))
            .resolve("create");
    HostException error =
        fails("EEXIST", () -> host.write(t4Create, UUID_A.toUpperCase(Locale.ROOT)));
    assertEquals(
        t4Create + ": File exists (mdev " + UUID_A + " already exists)", error.getMessage());
    assertEquals(List.of(), host.list(t4Create.parent().resolve("devices")));
  }

  @Test
  void mdevTypesWithoutAPoolKeepTheirOwnCounts() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    assertEquals("1", trimmed(host, V5_4_AVAILABLE));
    assertEquals(
        "4",
        trimmed(
            host,
            SysfsPaths.mdevType(IGPU, new MdevType("i915-GVTg_V5_8"))
                .resolve("available_instances")));
  }

  // --- an mdev parent whose types share one pool (8 units: V5_1 costs 8, V5_2 4, V5_4 2, V5_8 1)
  // ----

  private static final List<String> POOLED_TYPES =
      List.of("i915-GVTg_V5_1", "i915-GVTg_V5_2", "i915-GVTg_V5_4", "i915-GVTg_V5_8");

  private SimulatedHost pooledIgpu() {
    SandboxBuilder builder =
        SandboxBuilder.at(dir, "test")
            .module("i915", "i915", "8086:3e92")
            .device(PciDeviceSpec.of(IGPU.value(), 0x8086, 0x3e92, 0x030000))
            .iommuGroup(IGPU.value())
            .mdevPool(IGPU.value(), 8);
    for (int i = 0; i < POOLED_TYPES.size(); i++) {
      String type = POOLED_TYPES.get(i);
      builder.pooledMdevType(
          IGPU.value(), type, type.substring(5), "weight: " + (1 << (3 - i)), 8 >> i);
    }
    return SimulatedHost.sandbox(dir);
  }

  /** Every type's available_instances, in the order of {@link #POOLED_TYPES}. */
  private static List<String> availableOfEachType(SimulatedHost host) {
    return POOLED_TYPES.stream()
        .map(
            type ->
                trimmed(
                    host,
                    SysfsPaths.mdevType(IGPU, new MdevType(type)).resolve("available_instances")))
        .toList();
  }

  private static HostPath createOf(String type) {
    return SysfsPaths.mdevType(IGPU, new MdevType(type)).resolve("create");
  }

  @Test
  void aTypeWhoseDriverHasNoDescriptionIsShownWithoutOneAndStillListedAndUsable() {
    SandboxBuilder.at(dir, "test")
        .module("i915", "i915", "8086:3e92")
        .device(PciDeviceSpec.of(IGPU.value(), 0x8086, 0x3e92, 0x030000))
        .iommuGroup(IGPU.value())
        .mdevTypeWithoutDescription(IGPU.value(), "nvidia-1157", "NVIDIA L40S-4Q", 2)
        .mdevType(IGPU.value(), "nvidia-1158", "NVIDIA L40S-8Q", "framebuffer=8192M", 1);
    SimulatedHost host = SimulatedHost.sandbox(dir);
    HostPath withoutDescription = SysfsPaths.mdevType(IGPU, new MdevType("nvidia-1157"));
    assertFalse(host.exists(withoutDescription.resolve("description")));
    assertEquals("NVIDIA L40S-4Q", trimmed(host, withoutDescription.resolve("name")));
    MediatedDevices mdev = new MediatedDevices(host, new PciDevices(host));
    assertEquals(
        List.of(
            "nvidia-1157 NVIDIA L40S-4Q '' 2", "nvidia-1158 NVIDIA L40S-8Q 'framebuffer=8192M' 1"),
        mdev.types(IGPU).stream()
            .map(
                t ->
                    t.type()
                        + " "
                        + t.name()
                        + " '"
                        + t.description()
                        + "' "
                        + t.availableInstances())
            .toList());
    host.write(withoutDescription.resolve("create"), UUID_A);
    assertEquals("1", trimmed(host, withoutDescription.resolve("available_instances")));
  }

  @Test
  void mdevPoolShowsEachTypeTheFreeUnitsOverItsCost() {
    SimulatedHost host = pooledIgpu();
    assertEquals(List.of("1", "2", "4", "8"), availableOfEachType(host));
  }

  @Test
  void mdevInstanceOfATwoUnitTypeLowersEveryTypeOfThePool() {
    SimulatedHost host = pooledIgpu();
    host.write(createOf("i915-GVTg_V5_4"), UUID_A);
    assertEquals(List.of("0", "1", "3", "6"), availableOfEachType(host));
  }

  @Test
  void mdevExhaustedPoolIsEnospcForEveryType() {
    SimulatedHost host = pooledIgpu();
    host.write(createOf("i915-GVTg_V5_2"), UUID_A);
    host.write(createOf("i915-GVTg_V5_4"), UUID_B);
    host.write(createOf("i915-GVTg_V5_4"), UUID_C);
    assertEquals(List.of("0", "0", "0", "0"), availableOfEachType(host));
    String uuid = "00000002-0000-0000-0000-000000000201";
    HostException error = fails("ENOSPC", () -> host.write(createOf("i915-GVTg_V5_8"), uuid));
    assertEquals(
        createOf("i915-GVTg_V5_8")
            + ": No space left on device (no available instances of i915-GVTg_V5_8 on "
            + IGPU
            + ")",
        error.getMessage());
    assertFalse(host.exists(mdev(uuid)));
  }

  @Test
  void mdevRemoveGivesTheUnitsBackToEveryType() {
    SimulatedHost host = pooledIgpu();
    host.write(createOf("i915-GVTg_V5_2"), UUID_A);
    host.write(createOf("i915-GVTg_V5_8"), UUID_B);
    assertEquals(List.of("0", "0", "1", "3"), availableOfEachType(host));
    host.write(mdev(UUID_A).resolve("remove"), "1");
    assertEquals(List.of("0", "1", "3", "7"), availableOfEachType(host));
  }

  @Test
  void sandboxBuilderKeepsPooledAndOwnCountTypesApart() {
    SandboxBuilder builder =
        SandboxBuilder.at(dir, "test")
            .module("i915", "i915", "8086:3e92")
            .device(PciDeviceSpec.of(IGPU.value(), 0x8086, 0x3e92, 0x030000));
    assertThrows(
        IllegalStateException.class,
        () -> builder.pooledMdevType(IGPU.value(), "i915-GVTg_V5_4", "GVTg_V5_4", "", 2),
        "no pool declared");
    builder.mdevPool(IGPU.value(), 8);
    assertThrows(
        IllegalStateException.class,
        () -> builder.mdevType(IGPU.value(), "i915-GVTg_V5_4", "GVTg_V5_4", "", 2),
        "a pooled parent's types cost units");
  }

  // --- an mdev parent's driver unbound and bound again ------------------------------------------

  private static final HostPath I915 = SysfsPaths.PCI_DRIVERS.resolve("i915");

  @Test
  void unbindingAnMdevParentsDriverRemovesItsInstancesAndTypes() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    String group = linkName(host, mdev(UUID_A).resolve("iommu_group"));
    host.write(I915.resolve("unbind"), IGPU.value());
    assertEquals(List.of(), host.list(SysfsPaths.MDEV_DEVICES));
    assertFalse(
        host.exists(SysfsPaths.IOMMU_GROUPS.resolve(group)), "the instance's group " + group);
    assertFalse(host.exists(SysfsPaths.mdevTypes(IGPU)));
    assertFalse(host.list(SysfsPaths.device(IGPU)).contains(UUID_A));
  }

  @Test
  void bindingAnMdevParentsDriverAgainBringsItsTypesBackWithFullCounts() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(V5_4_CREATE, UUID_A);
    host.write(I915.resolve("unbind"), IGPU.value());
    host.write(SysfsPaths.DRIVERS_PROBE, IGPU.value());
    assertEquals(
        List.of("i915-GVTg_V5_4", "i915-GVTg_V5_8"), host.list(SysfsPaths.mdevTypes(IGPU)));
    assertEquals("2", trimmed(host, V5_4_AVAILABLE));
    assertEquals("GVTg_V5_4", trimmed(host, V5_4_DIR.resolve("name")));
    assertEquals(List.of(), host.list(V5_4_DIR.resolve("devices")));
    host.write(V5_4_CREATE, UUID_A);
    assertTrue(host.exists(mdev(UUID_A)), "the types take instances again");
  }

  @Test
  void bindingAPooledParentsDriverAgainRefillsThePool() {
    SimulatedHost host = pooledIgpu();
    host.write(createOf("i915-GVTg_V5_2"), UUID_A);
    host.write(I915.resolve("unbind"), IGPU.value());
    host.write(SysfsPaths.DRIVERS_PROBE, IGPU.value());
    assertEquals(List.of("1", "2", "4", "8"), availableOfEachType(host));
  }

  @Test
  void anMdevParentBoundToVfioPciOffersNoTypes() {
    SimulatedHost host = sandbox(SandboxProfile.GVT_G);
    host.write(device(IGPU.value(), "driver_override"), "vfio-pci");
    host.write(I915.resolve("unbind"), IGPU.value());
    host.write(SysfsPaths.DRIVERS_PROBE, IGPU.value());
    assertEquals("vfio-pci", linkName(host, device(IGPU.value(), "driver")));
    assertFalse(host.exists(SysfsPaths.mdevTypes(IGPU)));
  }

  // --- SR-IOV (SRIOV_NIC: PF 0000:03:00.0 i40e, offset 16, stride 1, total 64, VFs iavf)
  // -----------

  private static final String PF = "0000:03:00.0";
  private static final HostPath NUMVFS = device(PF, "sriov_numvfs");
  private static final List<String> FOUR_VFS =
      List.of("0000:03:02.0", "0000:03:02.1", "0000:03:02.2", "0000:03:02.3");

  @Test
  void sriovEnablingFourVfsMakesFunctionsAtOffsetAndStride() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    assertEquals("4", trimmed(host, NUMVFS));
    for (String vf : FOUR_VFS) {
      assertTrue(host.exists(device(vf)), vf);
      assertEquals("0x154c", trimmed(host, device(vf, "device")), vf);
      assertEquals("0x8086", trimmed(host, device(vf, "vendor")), vf);
    }
    assertFalse(host.exists(device("0000:03:02.4")));
  }

  @Test
  void sriovEnabledVfsHavePhysfnAndVirtfnLinks() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4\n");
    for (int i = 0; i < 4; i++) {
      assertEquals(FOUR_VFS.get(i), linkName(host, device(PF, "virtfn" + i)));
      assertEquals(PF, linkName(host, device(FOUR_VFS.get(i), "physfn")));
    }
    assertFalse(host.exists(device(PF, "virtfn4")));
  }

  @Test
  void sriovEachVfGetsItsOwnIommuGroup() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    String pfGroup = linkName(host, device(PF, "iommu_group"));
    host.write(NUMVFS, "4");
    Set<String> groups = new HashSet<>();
    for (String vf : FOUR_VFS) {
      String group = linkName(host, device(vf, "iommu_group"));
      assertNotEquals(pfGroup, group, vf);
      assertEquals(List.of(vf), host.list(SysfsPaths.IOMMU_GROUPS.resolve(group, "devices")), vf);
      groups.add(group);
    }
    assertEquals(4, groups.size(), "groups " + groups);
  }

  @Test
  void sriovEnabledVfsAreProbedToIavf() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    for (String vf : FOUR_VFS) {
      assertEquals("iavf", linkName(host, device(vf, "driver")), vf);
      assertEquals(vf, linkName(host, SysfsPaths.PCI_DRIVERS.resolve("iavf", vf)));
    }
  }

  @Test
  void sriovChangingANonZeroCountToAnotherIsEbusy() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    fails("EBUSY", () -> host.write(NUMVFS, "2"));
    assertEquals("4", trimmed(host, NUMVFS));
    assertTrue(host.exists(device("0000:03:02.3")));
  }

  @Test
  void sriovWritingTheCurrentCountAgainSucceeds() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    host.write(NUMVFS, "4");
    assertEquals("4", trimmed(host, NUMVFS));
  }

  @Test
  void sriovMoreThanTotalVfsIsErange() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    fails("ERANGE", () -> host.write(NUMVFS, "65"));
    assertEquals("0", trimmed(host, NUMVFS));
  }

  @Test
  void sriovANonNumberIsEinval() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    fails("EINVAL", () -> host.write(NUMVFS, "abc"));
    assertEquals("0", trimmed(host, NUMVFS));
  }

  /**
   * iov.c: {@code if (kstrtou16(buf, 0, &num_vfs) < 0) return -EINVAL;} (older kernels returned the
   * kstrtou16 error itself): base 0, one leading '+', one trailing newline, no other whitespace.
   */
  static Stream<Arguments> numvfsValues() {
    return Stream.of(
        Arguments.of("decimal", "4", "4"),
        Arguments.of("echo's newline", "4\n", "4"),
        Arguments.of("hex", "0x4", "4"),
        Arguments.of("octal", "010", "8"),
        Arguments.of("leading plus (kstrtoull skips one)", "+4", "4"),
        Arguments.of("letters", "abc", "EINVAL"),
        Arguments.of("negative", "-1", "EINVAL"),
        Arguments.of("leading space", " 4", "EINVAL"),
        Arguments.of("trailing space", "4 ", "EINVAL"),
        Arguments.of("two newlines", "4\n\n", "EINVAL"),
        Arguments.of("beyond u16 (kstrtou16 overflow)", "65536", "EINVAL"),
        Arguments.of("beyond sriov_totalvfs", "65", "ERANGE"));
  }

  @ParameterizedTest(name = "sriov_numvfs {0}: ''{1}'' -> {2}")
  @MethodSource("numvfsValues")
  void sriovNumvfsIsParsedLikeKstrtou16(String description, String written, String outcome) {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    if (outcome.startsWith("E")) {
      fails(
          outcome,
          () -> host.write(NUMVFS, written),
          "writing '" + shown(written) + "' to sriov_numvfs fails with " + outcome);
      assertEquals("0", trimmed(host, NUMVFS));
    } else {
      assertDoesNotThrow(
          () -> host.write(NUMVFS, written), "the kernel takes '" + shown(written) + "'");
      assertEquals(outcome, trimmed(host, NUMVFS));
    }
  }

  static Stream<Arguments> autoprobeValues() {
    return Stream.of(
        Arguments.of("1", "1"),
        Arguments.of("0\n", "0"),
        Arguments.of("y", "1"),
        Arguments.of("No", "0"),
        Arguments.of("on", "1"),
        Arguments.of("OFF", "0"),
        Arguments.of("true", "1"),
        Arguments.of("2", "EINVAL"),
        Arguments.of("o", "EINVAL"),
        Arguments.of(" 1", "EINVAL"));
  }

  /** The kernel's store takes what kstrtobool takes, then reads back 1 or 0; "2" is EINVAL. */
  @ParameterizedTest(name = "sriov_drivers_autoprobe ''{0}'' -> {1}")
  @MethodSource("autoprobeValues")
  void sriovDriversAutoprobeIsParsedLikeKstrtobool(String written, String outcome) {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    HostPath autoprobe = device(PF, "sriov_drivers_autoprobe");
    if (outcome.startsWith("E")) {
      fails(outcome, () -> host.write(autoprobe, written), "'" + shown(written) + "' is refused");
      assertEquals("1", trimmed(host, autoprobe));
    } else {
      assertDoesNotThrow(() -> host.write(autoprobe, written), "'" + shown(written) + "'");
      assertEquals(outcome, trimmed(host, autoprobe));
    }
  }

  @Test
  void sriovZeroRemovesTheVfsAndTheirLinks() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    List<String> groups =
        FOUR_VFS.stream().map(vf -> linkName(host, device(vf, "iommu_group"))).toList();
    host.write(NUMVFS, "0");
    assertEquals("0", trimmed(host, NUMVFS));
    for (int i = 0; i < 4; i++) {
      assertFalse(host.exists(device(FOUR_VFS.get(i))), FOUR_VFS.get(i));
      assertFalse(host.exists(device(PF, "virtfn" + i)), "virtfn" + i);
      assertFalse(
          host.exists(SysfsPaths.PCI_DRIVERS.resolve("iavf", FOUR_VFS.get(i))), FOUR_VFS.get(i));
      assertFalse(
          host.exists(SysfsPaths.IOMMU_GROUPS.resolve(groups.get(i))), "group " + groups.get(i));
    }
  }

  @Test
  void sriovOnAPfWithoutADriverIsEnoent() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("i40e", "unbind"), PF);
    assertFalse(host.readLink(device(PF, "driver")).isPresent());
    fails("ENOENT", () -> host.write(NUMVFS, "4"));
    assertFalse(host.exists(device("0000:03:02.0")));
  }

  @Test
  void sriovUnbindingThePfDriverDropsItsVfs() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    List<String> groups =
        FOUR_VFS.stream().map(vf -> linkName(host, device(vf, "iommu_group"))).toList();
    host.write(SysfsPaths.PCI_DRIVERS.resolve("i40e", "unbind"), PF);
    assertEquals("0", trimmed(host, NUMVFS));
    for (int i = 0; i < 4; i++) {
      assertFalse(host.exists(device(FOUR_VFS.get(i))), FOUR_VFS.get(i));
      assertFalse(host.exists(device(PF, "virtfn" + i)), "virtfn" + i);
      assertFalse(
          host.exists(SysfsPaths.IOMMU_GROUPS.resolve(groups.get(i))), "group " + groups.get(i));
    }
    assertFalse(host.list(SysfsPaths.PCI_DRIVERS.resolve("iavf")).contains(FOUR_VFS.get(0)));
  }

  private static void rebindToVfioPci(SimulatedHost host, String address) {
    host.write(device(address, "driver_override"), "vfio-pci");
    host.write(SysfsPaths.PCI_DRIVERS.resolve("i40e", "unbind"), address);
    host.write(SysfsPaths.DRIVERS_PROBE, address);
  }

  @Test
  void sriovOnAPfBoundToVfioPciIsEnoent() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    rebindToVfioPci(host, PF);
    HostException error = fails("ENOENT", () -> host.write(NUMVFS, "2"));
    assertEquals(
        NUMVFS
            + ": No such file or directory (driver does not support SR-IOV configuration via sysfs)",
        error.getMessage());
    assertEquals("0", trimmed(host, NUMVFS));
    assertFalse(host.exists(device("0000:03:02.0")));
  }

  @Test
  void sriovOnAPfBoundToVfioPciWithEnableSriovMakesVfs() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    // As loaded with "modprobe vfio-pci enable_sriov=1"; the sandbox's module has the default,
    // none.
    HostPath parameter = HostPath.of("sys", "module", "vfio_pci", "parameters", "enable_sriov");
    host.tree().createDirectories(parameter.parent());
    host.tree().write(parameter, "Y\n");
    rebindToVfioPci(host, PF);
    host.write(NUMVFS, "2");
    assertEquals(PF, linkName(host, device("0000:03:02.1", "physfn")));
  }

  /**
   * iov.c checks the number, then the range, then "nothing to do", and only then the driver:
   * without one, a value the number checks refuse gets their answer, and only a good new count gets
   * ENOENT.
   */
  @ParameterizedTest(name = "sriov_numvfs without a PF driver, {0}: ''{1}''")
  @MethodSource("numvfsValues")
  void sriovNumberChecksComeBeforeTheDriverCheck(
      String description, String written, String outcome) {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("i40e", "unbind"), PF);
    String expected = outcome.startsWith("E") ? outcome : "ENOENT";
    fails(expected, () -> host.write(NUMVFS, written));
    assertEquals("0", trimmed(host, NUMVFS));
  }

  @Test
  void sriovWritingTheCurrentCountWithoutADriverSucceeds() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("i40e", "unbind"), PF);
    assertDoesNotThrow(
        () -> host.write(NUMVFS, "0\n"), "the current count changes nothing, driver or not");
  }

  @Test
  void sriovVfsOfBothPortsHaveDistinctRoutingIds() {
    // PCIe SR-IOV: every VF of every PF of a device has its own routing id; two functions cannot
    // share one.
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    host.write(device("0000:03:00.1", "sriov_numvfs"), "2");
    Set<String> port0 = new HashSet<>();
    Set<String> port1 = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      port0.add(linkName(host, device(PF, "virtfn" + i)));
    }
    for (int i = 0; i < 2; i++) {
      port1.add(linkName(host, device("0000:03:00.1", "virtfn" + i)));
    }
    Set<String> shared = new HashSet<>(port0);
    shared.retainAll(port1);
    assertEquals(
        Set.of(),
        shared,
        "VFs of 0000:03:00.0 " + port0 + " and of 0000:03:00.1 " + port1 + " overlap");
  }

  // --- driver binding (GPU_PASSTHROUGH: 0000:0b:00.0 amdgpu, 0000:0b:00.1 snd_hda_intel) ---------

  private static final String GPU = "0000:0b:00.0";
  private static final HostPath OVERRIDE = device(GPU, "driver_override");

  @Test
  void overrideUnbindAndDriversProbeMoveTheDriverLink() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    assertEquals("amdgpu", linkName(host, device(GPU, "driver")));

    host.write(OVERRIDE, "vfio-pci");
    host.write(SysfsPaths.PCI_DRIVERS.resolve("amdgpu", "unbind"), GPU);
    assertFalse(host.readLink(device(GPU, "driver")).isPresent(), "unbound");
    host.write(SysfsPaths.DRIVERS_PROBE, GPU);

    assertEquals("vfio-pci", linkName(host, device(GPU, "driver")));
    assertTrue(host.list(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci")).contains(GPU));
    assertFalse(host.list(SysfsPaths.PCI_DRIVERS.resolve("amdgpu")).contains(GPU));
  }

  @Test
  void driverOverrideReadsNullWhenCleared() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    assertEquals("(null)\n", host.read(OVERRIDE));
    host.write(OVERRIDE, "vfio-pci\n");
    assertEquals("vfio-pci\n", host.read(OVERRIDE));
    host.write(OVERRIDE, "\n");
    assertEquals("(null)\n", host.read(OVERRIDE));
  }

  @Test
  void driverOverrideIsLeftAsItWasByAnEmptyWrite() {
    // fs/sysfs/file.c sysfs_kf_write: "if (!count) return 0;" - the store never runs.
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(OVERRIDE, "vfio-pci");
    host.write(OVERRIDE, "");
    assertEquals(
        "vfio-pci", trimmed(host, OVERRIDE), "a zero-length write must not clear driver_override");
  }

  @Test
  void driverOverrideLeftAsItWasByAnEmptyWriteInADryRunToo() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(OVERRIDE, "vfio-pci");
    DryRunHost dry = new DryRunHost(host);
    dry.write(OVERRIDE, "");
    assertEquals("vfio-pci\n", dry.read(OVERRIDE));
  }

  /** driver_set_override: the name ends at the first newline or NUL; an empty name clears. */
  static Stream<Arguments> overrideValues() {
    return Stream.of(
        Arguments.of("a name", "vfio-pci", "vfio-pci\n"),
        Arguments.of("a name and echo's newline", "vfio-pci\n", "vfio-pci\n"),
        Arguments.of("a newline alone (clears)", "\n", "(null)\n"),
        Arguments.of("a NUL alone, as Python writes (clears)", "\0", "(null)\n"),
        Arguments.of("text after the first newline (dropped)", "vfio-pci\nstray", "vfio-pci\n"),
        Arguments.of("4094 bytes (the longest taken)", "x".repeat(4094), "x".repeat(4094) + "\n"),
        Arguments.of("4095 bytes", "x".repeat(4095), "EINVAL"));
  }

  @ParameterizedTest(name = "driver_override {0}")
  @MethodSource("overrideValues")
  void driverOverrideTakesTheFirstLine(String description, String written, String shown) {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(OVERRIDE, "amdgpu");
    if (shown.startsWith("E")) {
      fails(shown, () -> host.write(OVERRIDE, written));
      assertEquals("amdgpu\n", host.read(OVERRIDE));
    } else {
      host.write(OVERRIDE, written);
      assertEquals(shown, host.read(OVERRIDE));
    }
  }

  @Test
  void bindToADeviceThatAlreadyHasADriverIsEbusy() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(OVERRIDE, "vfio-pci");
    // vfio-pci now matches (driver_override), but amdgpu still has the device:
    // __driver_probe_device says EBUSY.
    fails("EBUSY", () -> host.write(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci", "bind"), GPU));
    assertEquals("amdgpu", linkName(host, device(GPU, "driver")));
  }

  @Test
  void bindOfTheDriverTheDeviceAlreadyHasIsEbusy() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    fails("EBUSY", () -> host.write(SysfsPaths.PCI_DRIVERS.resolve("amdgpu", "bind"), GPU));
  }

  @Test
  void bindOfADriverThatDoesNotMatchIsEnodev() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("amdgpu", "unbind"), GPU);
    fails("ENODEV", () -> host.write(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci", "bind"), GPU));
    assertFalse(host.readLink(device(GPU, "driver")).isPresent());
  }

  @Test
  void unbindFromADriverTheDeviceIsNotBoundToIsEnodev() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    fails("ENODEV", () -> host.write(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci", "unbind"), GPU));
    assertEquals("amdgpu", linkName(host, device(GPU, "driver")));
  }

  @Test
  void driversProbeOfAnUnknownAddressIsEnodev() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    fails("ENODEV", () -> host.write(SysfsPaths.DRIVERS_PROBE, "0000:99:00.0"));
  }

  @Test
  void newIdBindsUnboundMatchingDevices() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("amdgpu", "unbind"), GPU);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci", "new_id"), "1002 73bf");
    assertEquals("vfio-pci", linkName(host, device(GPU, "driver")));
    assertEquals(
        "snd_hda_intel",
        linkName(host, device("0000:0b:00.1", "driver")),
        "other ids are untouched");
  }

  @Test
  void newIdLeavesDevicesThatHaveADriver() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    host.write(SysfsPaths.PCI_DRIVERS.resolve("vfio-pci", "new_id"), "1002 73bf\n");
    assertEquals("amdgpu", linkName(host, device(GPU, "driver")));
  }

  // --- NVIDIA vGPU on VFs (NVIDIA_VGPU_VF: PF 0000:41:00.0, 16 VFs from 0000:41:00.4)
  // -------------

  private static final PciAddress VF_0 = PciAddress.parse("0000:41:00.4");
  private static final PciAddress VF_1 = PciAddress.parse("0000:41:00.5");
  private static final PciAddress VF_15 = PciAddress.parse("0000:41:02.3");

  private static List<Integer> creatable(SimulatedHost host, PciAddress vf) {
    List<Integer> ids = new ArrayList<>();
    for (String line : host.read(SysfsPaths.nvidia(vf, "creatable_vgpu_types")).split("\n")) {
      String[] fields = line.split(":", 2);
      if (fields.length == 2 && fields[0].strip().matches("[0-9]+")) {
        ids.add(Integer.parseInt(fields[0].strip()));
      }
    }
    return ids;
  }

  @Test
  void nvidiaVfsOfTheGpuAreThere() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    assertEquals("16", trimmed(host, device("0000:41:00.0", "sriov_numvfs")));
    assertEquals(VF_0.value(), linkName(host, device("0000:41:00.0", "virtfn0")));
    assertEquals(VF_15.value(), linkName(host, device("0000:41:00.0", "virtfn15")));
    assertEquals("0", trimmed(host, SysfsPaths.nvidia(VF_0, "current_vgpu_type")));
    assertEquals(List.of(1155, 1156, 1157, 1158, 1159, 1160), creatable(host, VF_0));
  }

  @Test
  void nvidiaTypeOnOneVfLeavesOnlyThatTypeCreatableOnTheOthers() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1157");
    assertEquals("1157", trimmed(host, SysfsPaths.nvidia(VF_0, "current_vgpu_type")));
    assertEquals(List.of(1157), creatable(host, VF_1));
    assertEquals(List.of(1157), creatable(host, VF_15));
  }

  @Test
  void nvidiaSecondTypeOnTheSameVfIsEbusy() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1157");
    fails("EBUSY", () -> host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1157"));
    assertEquals("1157", trimmed(host, SysfsPaths.nvidia(VF_0, "current_vgpu_type")));
  }

  @Test
  void nvidiaTypeThatIsNotCreatableIsEinval() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1157");
    fails("EINVAL", () -> host.write(SysfsPaths.nvidia(VF_1, "current_vgpu_type"), "1158"));
    assertEquals("0", trimmed(host, SysfsPaths.nvidia(VF_1, "current_vgpu_type")));
  }

  @Test
  void nvidiaUnknownTypeIsEinval() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    fails("EINVAL", () -> host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "9999"));
  }

  @Test
  void nvidiaWritingZeroReleasesTheVf() {
    SimulatedHost host = sandbox(SandboxProfile.NVIDIA_VGPU_VF);
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1157");
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "0");
    assertEquals("0", trimmed(host, SysfsPaths.nvidia(VF_0, "current_vgpu_type")));
    assertEquals(List.of(1155, 1156, 1157, 1158, 1159, 1160), creatable(host, VF_1));
    host.write(SysfsPaths.nvidia(VF_0, "current_vgpu_type"), "1158");
    assertEquals("1158", trimmed(host, SysfsPaths.nvidia(VF_0, "current_vgpu_type")));
  }

  // --- ip link (SRIOV_NIC: enp3s0f0 is PF 0000:03:00.0) ------------------------------------------

  private static final ObjectMapper JSON = new ObjectMapper();

  private static CommandResult run(SimulatedHost host, String... argv) {
    return host.run(HostCommand.of(argv));
  }

  @Test
  void ipLinkSetVfIsShownInVfinfoList() throws IOException {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    CommandResult set =
        run(
            host,
            "ip",
            "link",
            "set",
            "dev",
            "enp3s0f0",
            "vf",
            "1",
            "mac",
            "52:54:00:00:00:01",
            "vlan",
            "100",
            "trust",
            "on");
    assertEquals(CommandResult.Status.RAN, set.status());
    assertEquals(0, set.exitCode(), set.output());

    CommandResult show = host.run(HostCommand.query("ip", "-j", "link", "show", "dev", "enp3s0f0"));
    assertEquals(0, show.exitCode(), show.output());
    JsonNode link = JSON.readTree(show.output()).get(0);
    assertEquals("enp3s0f0", link.path("ifname").asText());
    JsonNode vfs = link.path("vfinfo_list");
    assertEquals(4, vfs.size(), show.output());
    JsonNode vf1 = vfs.get(1);
    assertEquals(1, vf1.path("vf").asInt());
    assertEquals("52:54:00:00:00:01", vf1.path("address").asText());
    int vlan =
        vf1.has("vlan_list")
            ? vf1.path("vlan_list").get(0).path("vlan").asInt()
            : vf1.path("vlan").asInt();
    assertEquals(100, vlan, show.output());
    assertTrue(vf1.path("trust").asBoolean(), show.output());
    assertEquals("00:00:00:00:00:00", vfs.get(0).path("address").asText(), "VF 0 is untouched");
  }

  @Test
  void ipLinkSetOfAVfThePfDoesNotHaveFailsLikeRtnetlink() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    CommandResult result =
        run(host, "ip", "link", "set", "dev", "enp3s0f0", "vf", "4", "mac", "52:54:00:00:00:01");
    assertEquals(2, result.exitCode(), result.output());
    assertEquals("RTNETLINK answers: Invalid argument", result.lastLine());
  }

  /**
   * As the test bed's igb answered: the kernel refuses qos 8 and 802.1ad, iproute2 itself vlan
   * 4096.
   */
  @Test
  void ipLinkSetRefusesWhatIgbAndIproute2Refuse() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "2");
    CommandResult qos =
        run(host, "ip", "link", "set", "dev", "enp3s0f0", "vf", "0", "vlan", "10", "qos", "8");
    assertEquals(2, qos.exitCode(), qos.output());
    assertEquals("RTNETLINK answers: Invalid argument", qos.lastLine());
    CommandResult proto =
        run(
            host,
            "ip",
            "link",
            "set",
            "dev",
            "enp3s0f0",
            "vf",
            "0",
            "vlan",
            "10",
            "proto",
            "802.1ad");
    assertEquals(2, proto.exitCode(), proto.output());
    assertEquals("RTNETLINK answers: Protocol not supported", proto.lastLine());
    CommandResult vlan =
        run(host, "ip", "link", "set", "dev", "enp3s0f0", "vf", "0", "vlan", "4096");
    assertEquals(255, vlan.exitCode(), vlan.output());
    assertEquals("Error: argument \"4096\" is wrong: Invalid \"vlan\" value", vlan.lastLine());
    CommandResult fine =
        run(
            host,
            "ip",
            "link",
            "set",
            "dev",
            "enp3s0f0",
            "vf",
            "0",
            "vlan",
            "4095",
            "qos",
            "7",
            "proto",
            "802.1Q");
    assertEquals(0, fine.exitCode(), fine.output());
    assertTrue(
        run(host, "ip", "link", "show", "dev", "enp3s0f0").output().contains("vlan 4095"),
        "only the accepted settings were kept");
  }

  @Test
  void ipLinkSetOnAnUnknownDeviceCannotFindIt() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    CommandResult result =
        run(host, "ip", "link", "set", "dev", "nosuch0", "vf", "0", "mac", "52:54:00:00:00:01");
    assertEquals(1, result.exitCode(), result.output());
    assertEquals("Cannot find device \"nosuch0\"", result.lastLine());
  }

  @Test
  void ipLinkShowOfAnUnknownDeviceSaysItDoesNotExist() {
    // iproute2 ipaddr_list_flush_or_save: fprintf(stderr, "Device \"%s\" does not exist.\n",
    // filter_dev)
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    CommandResult result =
        host.run(HostCommand.query("ip", "-j", "link", "show", "dev", "nosuch0"));
    assertEquals(1, result.exitCode(), result.output());
    assertEquals("Device \"nosuch0\" does not exist.", result.lastLine());
  }

  @Test
  void aCommandWithoutAModelIsNotSimulated() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    CommandResult result = run(host, "lspci", "-nn");
    assertEquals(CommandResult.Status.NOT_SIMULATED, result.status());
    assertFalse(result.succeeded());
  }

  // --- modprobe ----------------------------------------------------------------------------------

  private static final String X520 = "0000:05:00.0";

  private SimulatedHost hostWithAnUnboundX520() {
    SandboxBuilder.at(dir, "test")
        .device(PciDeviceSpec.of(X520, 0x8086, 0x10fb, 0x020000))
        .availableModule("ixgbe", "ixgbe", "8086:10fb");
    return SimulatedHost.sandbox(dir);
  }

  @Test
  void modprobeOfAnUnknownModuleExitsOne() {
    SimulatedHost host = hostWithAnUnboundX520();
    CommandResult result = run(host, "modprobe", "nosuchmod");
    assertEquals(CommandResult.Status.RAN, result.status());
    assertEquals(1, result.exitCode());
    assertTrue(result.output().contains("Module nosuchmod not found"), result.output());
  }

  @Test
  void modprobeOfAnAvailableModuleRegistersItsDriver() {
    SimulatedHost host = hostWithAnUnboundX520();
    assertFalse(host.exists(SysfsPaths.PCI_DRIVERS.resolve("ixgbe")));
    CommandResult result = run(host, "modprobe", "ixgbe");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(host.exists(SysfsPaths.PCI_DRIVERS.resolve("ixgbe", "bind")));
    assertTrue(host.exists(HostPath.of("sys", "module", "ixgbe")));
  }

  @Test
  void modprobeBindsTheUnboundDevicesTheNewDriverClaims() {
    // pci_register_driver -> bus_add_driver -> driver_attach (drivers_autoprobe is 1).
    SimulatedHost host = hostWithAnUnboundX520();
    assertFalse(host.readLink(device(X520, "driver")).isPresent());
    run(host, "modprobe", "ixgbe");
    assertEquals("ixgbe", linkName(host, device(X520, "driver")));
  }

  // --- faults ------------------------------------------------------------------------------------

  @Test
  void failWriteFailsTheNextMatchingWriteOnly() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.faults().failWrite("/sys/bus/pci/devices/*/sriov_numvfs", "EIO");
    fails("EIO", () -> host.write(NUMVFS, "4"));
    assertEquals("0", trimmed(host, NUMVFS), "the failed write had no effect");
    host.write(NUMVFS, "4");
    assertEquals("4", trimmed(host, NUMVFS));
  }

  @Test
  void failCommandFailsTheNextMatchingCommandOnly() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    host.write(NUMVFS, "4");
    host.faults().failCommand("ip link set", 2, "RTNETLINK answers: Device or resource busy");
    String[] argv = {"ip", "link", "set", "dev", "enp3s0f0", "vf", "0", "mac", "52:54:00:00:00:02"};
    CommandResult first = run(host, argv);
    assertEquals(2, first.exitCode());
    assertEquals("RTNETLINK answers: Device or resource busy", first.lastLine());
    CommandResult second = run(host, argv);
    assertEquals(0, second.exitCode(), second.output());
  }

  @Test
  void failChangeFailsTheNthChangeOfAnyKindAndNothingElse() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    HostPath state = HostPath.of("run", "guesthook", "state", "501");
    host.faults().failChange(3);
    host.write(NUMVFS, "4"); // change 1
    host.run(HostCommand.query("ip", "-j", "link", "show", "enp3s0f0")); // only looks: not a change
    host.createDirectories(state); // change 2
    String[] setMac = {
      "ip", "link", "set", "dev", "enp3s0f0", "vf", "0", "mac", "52:54:00:00:00:02"
    };
    CommandResult refused = run(host, setMac); // change 3: the one that fails
    assertEquals(2, refused.exitCode());
    assertEquals("RTNETLINK answers: Input/output error (injected fault)", refused.lastLine());
    assertEquals(List.of(), host.faults().pending(), "the fault is used up");
    assertEquals(0, run(host, setMac).exitCode(), "the change after it goes through");
  }

  @Test
  void failChangeRefusesAWriteMkdirOrDeleteBeforeItTakesEffect() {
    SimulatedHost host = sandbox(SandboxProfile.SRIOV_NIC);
    HostPath state = HostPath.of("run", "guesthook", "state", "501");
    host.faults().failChange(1);
    fails("EIO", () -> host.write(NUMVFS, "4"));
    assertEquals("0", trimmed(host, NUMVFS), "the failed write had no effect");
    host.faults().failChange(1);
    fails("EIO", () -> host.createDirectories(state));
    assertFalse(host.exists(state), "no directory made");
    host.createDirectories(state);
    host.faults().failChange(1);
    fails("EIO", () -> host.delete(state));
    assertTrue(host.exists(state), "nothing deleted");
  }

  @Test
  void vanishAfterWriteTakesTheDeviceAwayOnceTheWriteSucceeded() {
    SimulatedHost host = sandbox(SandboxProfile.GPU_PASSTHROUGH);
    PciAddress audio = PciAddress.parse("0000:0b:00.1");
    host.faults().vanishAfterWrite("/sys/bus/pci/devices/0000:0b:00.1/driver_override", audio);
    host.write(device(audio.value(), "driver_override"), "vfio-pci");
    assertFalse(host.exists(SysfsPaths.device(audio)));
    assertFalse(host.list(SysfsPaths.PCI_DEVICES).contains(audio.value()));
    assertFalse(host.list(SysfsPaths.PCI_DRIVERS.resolve("snd_hda_intel")).contains(audio.value()));
    assertTrue(host.exists(device(GPU)), "the other function stays");
  }

  @Test
  void faultsSetThroughOneHostFireInAnotherOverTheSameTree() {
    SimulatedHost first = sandbox(SandboxProfile.SRIOV_NIC);
    first.faults().failWrite("/sys/bus/pci/devices/*/sriov_numvfs", "EIO");
    SimulatedHost second = SimulatedHost.sandbox(dir);
    assertEquals(1, second.faults().pending().size());
    fails("EIO", () -> second.write(NUMVFS, "4"));
    assertEquals(List.of(), first.faults().pending(), "the fault was used up for both");
  }

  // --- state, sandboxes and dry runs -------------------------------------------------------------

  @Test
  void stateLivesInTheTree() {
    SimulatedHost first = sandbox(SandboxProfile.GVT_G);
    first.write(V5_4_CREATE, UUID_A);
    SimulatedHost second = SimulatedHost.sandbox(dir);
    assertTrue(second.exists(mdev(UUID_A)));
    assertEquals("1", trimmed(second, V5_4_AVAILABLE));
    second.write(mdev(UUID_A).resolve("remove"), "1");
    assertFalse(first.exists(mdev(UUID_A)));
  }

  @Test
  void aDirectoryThatIsNotASandboxIsRefused() throws IOException {
    Path plain = Files.createDirectories(dir.resolve("not-a-sandbox"));
    Files.createDirectories(plain.resolve("sys/bus/pci/devices"));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> SimulatedHost.sandbox(plain));
    assertTrue(error.getMessage().contains(plain.toString()), error.getMessage());
  }

  @Test
  void aDryRunAppliesTheKernelsReactionsWithoutChangingTheTree() {
    sandbox(SandboxProfile.GVT_G);
    Map<String, String> before = snapshot(dir);
    DryRunHost dry = new DryRunHost(SimulatedHost.sandbox(dir));

    dry.write(V5_4_CREATE, UUID_A);

    assertTrue(dry.exists(mdev(UUID_A)));
    assertEquals(
        Optional.of("i915-GVTg_V5_4"),
        dry.readLink(mdev(UUID_A).resolve("mdev_type")).map(HostPath::name));
    assertEquals("1", dry.read(V5_4_AVAILABLE).strip());
    assertEquals(before, snapshot(dir), "the sandbox on disk changed");
    assertFalse(SimulatedHost.sandbox(dir).exists(mdev(UUID_A)));
  }

  /** Every path under a tree with its content, or where it links, or that it is a directory. */
  private static Map<String, String> snapshot(Path root) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String key = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(key, "-> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          out.put(key, "dir");
        } else {
          out.put(key, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
