package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * hostpciN values as qemu-server reads them ($hostpci_fmt through pve-common's
 * parse_property_string): one accepted and one refused value per pattern, enumeration and boolean,
 * each refused line left out and named with file:line and pve-common's words.
 */
class HostpciFormatTest {
  static final String FILE = "/etc/pve/qemu-server/101.conf";

  private static List<String> problems(String value) throws PveFileException {
    VmConfig config = VmConfigParser.parse(FILE, "memory: 2048\nhostpci0: " + value + "\n");
    assertEquals(
        config.problems().isEmpty(),
        config.current().containsKey("hostpci0"),
        "a named line is left out");
    return config.problems();
  }

  private static void accepted(String value) throws PveFileException {
    assertEquals(List.of(), problems(value), value);
  }

  private static void refused(String value, String message) throws PveFileException {
    assertEquals(
        List.of(FILE + ":2: unable to parse value of 'hostpci0' - " + message),
        problems(value),
        value);
  }

  private static final String PATTERN = "format error\n%s: value does not match the regex pattern";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"0000:01:00.0|01:00.0;02:00.0", "01:00|01:00;0000:02:00.1"})
  void hostIsOneOrMoreSemicolonSeparatedIds(String one, String many) throws Exception {
    accepted(one);
    accepted("host=" + many);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0000:01:00.0;", // a trailing ';'
        "0000:0A:00.0", // upper-case hex
        "host=01:00.0;../x",
        "01:0.0"
      })
  void aHostOutsideThePatternIsRefused(String value) throws Exception {
    refused(value, PATTERN.formatted("host"));
  }

  @Test
  void twoAddressesSeparatedByACommaAreTwoDefaultKeys() throws Exception {
    refused("01:00.0,02:00.0", "duplicate key in comma-separated list property: host");
    refused("host=01:00.0,02:00.0", "duplicate key in comma-separated list property: host");
  }

  @Test
  void aKeyGivenTwiceIsRefused() throws Exception {
    refused("01:00.0,pcie=1,pcie=1", "duplicate key in comma-separated list property: pcie");
  }

  @Test
  void anUnknownKeyAndAnEmptyValueAreRefused() throws Exception {
    refused("01:00.0,colour=red", "invalid key in comma-separated list property: colour");
    refused("01:00.0,pcie=", "missing key in comma-separated list property");
  }

  @ParameterizedTest
  @CsvSource({"pcie", "x-vga", "rombar", "legacy-igd"})
  void booleansTakeParseBooleansWords(String key) throws Exception {
    for (String word : List.of("1", "0", "on", "off", "yes", "NO", "true", "False")) {
      accepted("01:00.0," + key + "=" + word);
    }
    refused(
        "01:00.0," + key + "=2",
        "format error\n" + key + ": type check ('boolean') failed - got '2'");
  }

  @Test
  void booleansAreNormalisedAndDefaulted() throws Exception {
    Hostpci h = Hostpci.parse(0, "01:00.0,pcie=yes,x-vga=on");
    assertEquals(Map.of("pcie", "1", "x-vga", "1"), h.options());
    assertEquals(
        List.of(true, true, true), List.of(h.pcie(), h.xVga(), h.rombar()), "rombar defaults to 1");
    assertEquals(false, Hostpci.parse(0, "01:00.0,rombar=off").rombar());
  }

  @ParameterizedTest
  @CsvSource({"vendor-id", "device-id", "sub-vendor-id", "sub-device-id"})
  void idOverridesAreFourHexDigits(String key) throws Exception {
    accepted("01:00.0," + key + "=0x10dE");
    refused("01:00.0," + key + "=10de", PATTERN.formatted(key));
    refused("01:00.0," + key + "=0x10de0", PATTERN.formatted(key));
  }

  @Test
  void driverIsVfioOrKeep() throws Exception {
    accepted("01:00.0,driver=keep");
    accepted("01:00.0,driver=vfio");
    refused(
        "01:00.0,driver=nvidia",
        "format error\ndriver: value 'nvidia' does not have a value in the enumeration 'vfio, keep'");
  }

  @Test
  void romfileHasNoSemicolon() throws Exception {
    accepted("01:00.0,romfile=vbios.bin");
    refused("01:00.0,romfile=a;b", PATTERN.formatted("romfile"));
  }

  @Test
  void mappingIsAConfigId() throws Exception {
    accepted("mapping=gpu-1");
    refused(
        "mapping=1gpu", "format error\nmapping: invalid format - invalid configuration ID '1gpu'");
  }

  @Test
  void mdevTypesWithPathOrShellCharactersAreRefused() throws Exception {
    accepted("01:00.0,mdev=nvidia-63");
    refused("01:00.0,mdev=../../../../tmp/pwn", PATTERN.formatted("mdev"));
    refused("01:00.0,mdev=$(touch /tmp/pwn)", PATTERN.formatted("mdev"));
  }

  @Test
  void everyFailingKeyIsNamed() throws Exception {
    refused(
        "01:00.0,pcie=2,mdev=a/b",
        "format error\nmdev: value does not match the regex pattern\n"
            + "pcie: type check ('boolean') failed - got '2'");
  }

  @Test
  void keysPastHostpci15AreUnknownSettings() throws Exception {
    VmConfig config = VmConfigParser.parse(FILE, "hostpci15: 01:00.0\nhostpci16: 02:00.0\n");
    assertEquals(
        List.of(FILE + ":2: unable to parse value of 'hostpci16' - unknown setting 'hostpci16'"),
        config.problems());
    assertEquals(List.of(15), config.hostpci().stream().map(Hostpci::index).toList());
  }

  @Test
  void startTimeRefusalsAreNotPresentedAsProxmoxsReadWarning() throws Exception {
    VmConfig config =
        VmConfigParser.parse(FILE, "hostpci2: host=03:00.0,mapping=gpu\nhostpci3: pcie=1\n");
    assertEquals(
        List.of(
            FILE + ":1: hostpci2: Proxmox refuses the start: Cannot set both 'host' and 'mapping'.",
            FILE
                + ":2: hostpci3: Proxmox refuses the start: Either 'host' or 'mapping' must be set."),
        config.problems());
    assertEquals(List.of(), config.hostpci());
  }

  @Test
  void theStrictReaderFailsOnTheFirst() {
    PveFileException e =
        assertThrows(
            PveFileException.class,
            () -> VmConfigParser.parseStrict(FILE, "hostpci0: 01:00.0,mdev=../x\n"));
    assertEquals(
        FILE + ":1: unable to parse value of 'hostpci0' - " + PATTERN.formatted("mdev"),
        e.getMessage());
  }
}
