package dev.guesthook.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The typed ids are the only way a value from a hook, a guest config or a settings file becomes a
 * sysfs path segment or a command argument, so each must take the kernel's forms and refuse the
 * rest with a message that shows the value (escaped) and says what was expected.
 */
class IdentifiersTest {

  /** The message names the offending value as {@code Printable} shows it, and what was expected. */
  private static void assertRefusal(
      IllegalArgumentException error, String what, String shownValue, String expected) {
    String message = error.getMessage();
    assertTrue(message.startsWith("invalid " + what + " '" + shownValue + "'"), message);
    assertTrue(message.contains("expected " + expected), message);
    assertFalse(message.contains("\n"), "a refusal is one line: " + message);
  }

  private static final String PCI_EXPECTED = "a PCI address like 0000:01:00.0 or 01:00.0";

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0000:01:00.0, 0000:01:00.0",
    "0000:41:02.3, 0000:41:02.3",
    "01:00.0,      0000:01:00.0",
    "0b:00.1,      0000:0b:00.1",
    "0000:0B:00.0, 0000:0b:00.0",
    "0B:1F.7,      0000:0b:1f.7",
    "ABCD:ef:1f.7, abcd:ef:1f.7",
  })
  void pciAddressParsesTheKernelFormAndNormalisesShortAndUpperCaseForms(
      String text, String normalised) {
    assertEquals(normalised, PciAddress.parse(text).value());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "..",
        ".",
        "0000:01:00.0/../x",
        "01:00.8",
        "0000:01:00.8",
        "0000:01:00.0\n",
        "0000:01:00.0 ",
        " 0000:01:00.0",
        "0000:01:00",
        "0000:01:00.",
        "000:01:00.0",
        "0000:001:00.0",
        "0000:01:0g.0",
        "0000-01-00.0",
        "../../etc/shadow",
        "0000:01:00.0\0"
      })
  void pciAddressRefusesAnythingButAFunctionAddress(String text) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(text));
    assertRefusal(error, "PCI address", Printable.of(text.toLowerCase(Locale.ROOT)), PCI_EXPECTED);
  }

  @Test
  void pciAddressRefusalOfATrailingNewlineShowsItEscaped() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("0000:01:00.0\n"));
    assertEquals(
        "invalid PCI address '0000:01:00.0\\n': expected " + PCI_EXPECTED, error.getMessage());
  }

  @Test
  void pciAddressRefusalOfAPathTraversalNamesTheWholeValue() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("0000:01:00.0/../x"));
    assertEquals(
        "invalid PCI address '0000:01:00.0/../x': expected " + PCI_EXPECTED, error.getMessage());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @NullAndEmptySource
  void pciAddressRefusesNullAndEmpty(String text) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(text));
    assertRefusal(error, "PCI address", "", PCI_EXPECTED);
  }

  @Test
  void pciAddressConstructorTakesOnlyTheNormalisedForm() {
    assertThrows(IllegalArgumentException.class, () -> new PciAddress("01:00.0"));
    assertThrows(IllegalArgumentException.class, () -> new PciAddress("0000:0B:00.0"));
    assertEquals("0000:0b:00.0", new PciAddress("0000:0b:00.0").toString());
  }

  @Test
  void pciAddressRoutingIdsFollowBusDeviceFunction() {
    PciAddress pf = PciAddress.parse("0000:03:00.0");
    assertEquals(0x300, pf.routingId());
    assertEquals(PciAddress.parse("0000:03:02.0"), PciAddress.of(pf.domain(), pf.routingId() + 16));
    assertEquals("0000:03:00", pf.slot());
    assertEquals(PciAddress.parse("0000:03:00.1"), pf.function(1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"i915-GVTg_V5_4", "nvidia-222", "nvidia-1157", "mtty-2", "vfio_ap-passthrough"})
  void mdevTypeAcceptsDriverTypeNames(String name) {
    assertEquals(name, new MdevType(name).value());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {".", "..", "a/b", "a b", "", "nvidia-222\n", "../../../../etc"})
  void mdevTypeRefusesNamesThatAreNotOnePathSegment(String name) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new MdevType(name));
    assertRefusal(
        error,
        "mdev type",
        Printable.of(name),
        "a type name like i915-GVTg_V5_4 (letters, digits, _ . -)");
  }

  @Test
  void mdevTypeRefusesNull() {
    assertThrows(IllegalArgumentException.class, () -> new MdevType(null));
  }

  @Test
  void uuidParsesAndLowersTheRfc4122Form() {
    assertEquals(
        "5f2a3c1e-9b7d-4e21-8c3a-0123456789ab",
        Uuid.parse("5F2A3C1E-9B7D-4E21-8C3A-0123456789AB").value());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(
      strings = {
        "",
        "5f2a3c1e9b7d4e218c3a0123456789ab",
        "5f2a3c1e-9b7d-4e21-8c3a-0123456789a",
        "5f2a3c1e-9b7d-4e21-8c3a-0123456789abc",
        "5f2a3c1e-9b7d-4e21-8c3a-0123456789ag",
        "{5f2a3c1e-9b7d-4e21-8c3a-0123456789ab}",
        "5f2a3c1e-9b7d-4e21-8c3a-0123456789ab\n",
        "..",
        "a/b"
      })
  void uuidRefusesAnythingElse(String text) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Uuid.parse(text));
    assertRefusal(error, "UUID", Printable.of(text), "the form 8-4-4-4-12 hex digits");
  }

  @Test
  void uuidRefusesNull() {
    assertThrows(IllegalArgumentException.class, () -> Uuid.parse(null));
  }

  @Test
  void uuidProxmoxInstanceIsQemuServersGenerateMdevUuid() {
    // qemu-server: sprintf("%08d-0000-0000-0000-%012d", $index, $vmid)
    assertEquals("00000000-0000-0000-0000-000000000201", Uuid.proxmox(new VmId(201), 0).value());
    assertEquals("00000003-0000-0000-0000-000000123456", Uuid.proxmox(new VmId(123456), 3).value());
    assertEquals(
        "00000000-0000-0000-0000-000999999999", Uuid.proxmox(new VmId(VmId.MAX), 0).value());
  }

  @ParameterizedTest(name = "vmid {0}, hostpci{1}")
  @CsvSource({"100, 0", "201, 0", "402, 7", "999999999, 15", "5000, 99999999"})
  void uuidProxmoxOwnerRoundTrips(int vmid, int index) {
    Uuid uuid = Uuid.proxmox(new VmId(vmid), index);
    assertEquals(Optional.of(new Uuid.Owner(new VmId(vmid), index)), uuid.proxmoxOwner());
  }

  @Test
  void uuidProxmoxIndexOutOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Uuid.proxmox(new VmId(201), -1));
    assertThrows(IllegalArgumentException.class, () -> Uuid.proxmox(new VmId(201), 100_000_000));
  }

  @Test
  void uuidRandomHasNoOwner() {
    // A version 4 UUID has a 4 where the Proxmox scheme has the 0000 of its third group.
    for (int i = 0; i < 50; i++) {
      assertEquals(Optional.empty(), Uuid.random().proxmoxOwner());
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "00000000-0000-0000-0000-000000000099", // below the smallest vmid
        "00000000-0000-0000-0000-00000000020a", // hex digit where Proxmox writes decimal
        "0000000a-0000-0000-0000-000000000201",
        "00000000-0000-0000-0001-000000000201"
      })
  void uuidOutsideTheProxmoxSchemeHasNoOwner(String text) {
    assertEquals(Optional.empty(), Uuid.parse(text).proxmoxOwner());
  }

  @Test
  void macAddressParsesAndLowersAUnicastAddress() {
    assertEquals("52:54:00:ab:cd:ef", MacAddress.parse("52:54:00:AB:CD:EF").value());
    assertEquals("00:00:00:00:00:00", MacAddress.NONE.value());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "01:00:5e:00:00:01",
        "33:33:00:00:00:01",
        "ff:ff:ff:ff:ff:ff",
        "53:54:00:12:34:56"
      })
  void macAddressRefusesMulticastAddresses(String text) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    assertTrue(error.getMessage().contains("'" + text + "'"), error.getMessage());
    assertTrue(error.getMessage().contains("multicast"), error.getMessage());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(
      strings = {
        "",
        "52:54:00:zz:00:01",
        "52:54:00:12:34",
        "52:54:00:12:34:56:78",
        "52-54-00-12-34-56",
        "525400123456",
        "52:54:00:12:34:5",
        "52:54:00:12:34:56\n"
      })
  void macAddressRefusesBadHex(String text) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    assertRefusal(
        error,
        "MAC address",
        Printable.of(text.toLowerCase(Locale.ROOT)),
        "six hex pairs like 52:54:00:12:34:56");
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfio-pci", "amdgpu", "snd_hda_intel", "i40e", "iavf", "nvidia"})
  void driverNameAcceptsKernelDriverNames(String name) {
    assertEquals(name, new DriverName(name).value());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(strings = {"", ".", "..", "vfio/pci", "vfio pci", "vfio-pci\n", "../../../../bin"})
  void driverNameRefusesNamesThatAreNotOnePathSegment(String name) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new DriverName(name));
    assertRefusal(
        error, "driver name", Printable.of(name), "a driver name like vfio-pci or amdgpu");
  }

  @Test
  void driverNameRefusesNull() {
    assertThrows(IllegalArgumentException.class, () -> new DriverName(null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"enp3s0f0", "eth0", "vmbr0", "bond0.100", "enp3s0f0v1", "a23456789012345"})
  void netInterfaceAcceptsInterfaceNames(String name) {
    assertEquals(name, new NetInterface(name).value());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @ValueSource(
      strings = {
        "-eth0",
        "--help",
        "a234567890123456",
        "enp3s0f0withlongname",
        "",
        ".",
        "..",
        "a/b",
        "a b",
        "eth0\n"
      })
  void netInterfaceRefusesOptionsOverlongAndPathLikeNames(String name) {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new NetInterface(name));
    assertRefusal(
        error,
        "interface name",
        Printable.of(name),
        "a name like enp3s0f0 (at most 15 characters)");
  }
}
