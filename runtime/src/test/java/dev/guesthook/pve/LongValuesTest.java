package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.pve.schema.PropertyFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Long values Perl's regex engine takes in its stride: Java's recurses once per repetition of a
 * group, so a long list must not end in a StackOverflowError (before: exit 3, or a start refused).
 */
class LongValuesTest {
  private static final String CONF = "/etc/pve/qemu-server/201.conf";

  @Test
  void aHostpciLineOf400FunctionsIsRead() throws Exception {
    List<String> functions = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      functions.add(String.format("0000:%02x:%02x.%d", i / 64, i / 8 % 8, i % 8));
    }
    String ids = String.join(";", functions);
    VmConfig config = VmConfigParser.parse(CONF, "hostpci0: " + ids + "\n");
    assertEquals(Map.of("hostpci0", ids), config.current());
    assertEquals(400, config.hostpci().get(0).ids().size());
  }

  /**
   * Adversary finding: 8000 copies of one id made pre-start run out of heap (exit 3) in 14 s;
   * qemu-server's choose_hostpci_devices refuses such a start ("assigned more than once"), so the
   * line is left out at once.
   */
  @Test
  void aHostpciLineNamingAFunctionTwiceIsLeftOutAsAStartProxmoxRefuses() throws Exception {
    long started = System.nanoTime();
    VmConfig config =
        VmConfigParser.parse(
            CONF,
            "hostpci0: " + String.join(";", Collections.nCopies(80_000, "0000:00:02.0")) + "\n");
    assertEquals(Map.of(), config.current());
    assertEquals(
        List.of(
            CONF
                + ":1: hostpci0: Proxmox refuses the start: device '0000:00:02.0' assigned more than once"),
        config.problems());
    assertTrue(System.nanoTime() - started < 2_000_000_000L, "read in under 2 s");
  }

  @Test
  void aMapPathOf1500FunctionsIsRead() throws Exception {
    String paths = String.join(";", Collections.nCopies(1500, "0000:0c:00.0"));
    PciMapping rx =
        PciMappings.parse(
                "/etc/pve/mapping/pci.cfg",
                "rx\n\tmap node=other,path=" + paths + ",id=1002:73bf\n")
            .get("rx");
    assertEquals(1500, rx.nodes().get(0).paths().size());
    assertEquals(List.of(), rx.problems());
  }

  @Test
  void longUsbPathsMachineTypesAndServerNamesAreCheckedWithoutOverflow() throws Exception {
    String usbPath = "1-1" + ".2".repeat(20_000);
    assertEquals(
        1,
        OtherMappings.usb("/u.cfg", "kb\n\tmap node=pve1,id=046d:c31c,path=" + usbPath + "\n")
            .get("kb")
            .nodes()
            .size());
    VmConfig machine =
        VmConfigParser.parse(CONF, "machine: pc-i440fx-8" + ".1".repeat(20_000) + "\n");
    assertTrue(
        machine.problems().get(0).contains("value may only be 40 characters long"),
        machine.problems().toString());
    StorageConfig storage =
        StorageConfig.parse(
            "/etc/pve/storage.cfg",
            "nfs: nas\n\tserver " + "a.".repeat(20_000) + "b\n\texport /e\n\tpath /mnt/pve/nas\n");
    assertTrue(storage.get("nas").isPresent(), storage.problems().toString());
  }

  /**
   * Mapping::PCI's $PCI_RE holds an any-character dot, so one path can hold a ';' itself: the
   * item-wise check must accept exactly what the one regex does. Java's own regex is the oracle on
   * short values.
   */
  @Test
  void theItemWiseCheckAcceptsWhatTheWholeRegexAccepts() {
    String item = "[a-f0-9]{1,}:[a-f0-9]{1}:[a-f0-9]{1}(?:.[a-f0-9])?";
    Pattern whole = Pattern.compile("(?:" + item + ";)*" + item, Pattern.UNIX_LINES);
    PropertyFormat.Property list = PropertyFormat.Property.string().matchingList(item, ';', 1);
    char[] alphabet = "0a:;.x".toCharArray();
    Random random = new Random(17);
    for (int i = 0; i < 300_000; i++) {
      StringBuilder value = new StringBuilder();
      for (int n = 1 + random.nextInt(20); n > 0; n--) {
        value.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String v = value.toString();
      assertEquals(whole.matcher(v).matches(), list.refusal(v).isEmpty(), v);
    }
    assertTrue(
        list.refusal("a:0:a;0:0:0;0:0:0").isEmpty(), "an item holding a ';' before two plain ones");
  }
}
