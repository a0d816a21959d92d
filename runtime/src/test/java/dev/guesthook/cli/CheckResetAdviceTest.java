package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook check <vmid>}: each passed function's reset methods and the known advice, in
 * text and {@code --json}, on the mixed sandbox; reading only.
 */
class CheckResetAdviceTest {
  @TempDir Path base;
  Path root;

  @BeforeEach
  void mixedHost() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
  }

  @Test
  void aGpuWithNoResetMethodIsWarnedAbout() {
    JsonNode item = resetItem(check("601"), "0000:0b:00.0");
    assertEquals("warn", item.get("status").asText());
    assertEquals(
        "0000:0b:00.0 1002:73bf: a GPU with no reset method: after a guest it may come back"
            + " broken or not at all, and a second start may fail; give it to one guest per host"
            + " boot, or use a slot where it is alone on its bus (bus reset)",
        item.get("detail").asText());
    assertEquals(false, item.get("reset").get("resettable").asBoolean());
    assertEquals("pass", resetItem(check("601"), "0000:0b:00.1").get("status").asText());
  }

  @Test
  void aFunctionWithMethodsListsThemAsDataToo() throws Exception {
    audioWithFlr();
    JsonNode item = resetItem(check("601"), "0000:0b:00.1");
    assertEquals("pass", item.get("status").asText(), item::toString);
    assertTrue(item.get("detail").asText().endsWith(": reset methods flr"), item::toString);
    assertEquals("[\"flr\"]", item.get("reset").get("enabled").toString());
    assertEquals(true, item.get("reset").get("resetMethodFile").asBoolean());
  }

  @Test
  void anAmdGpuVendorResetKnowsWithoutItsModuleGetsTheAdvice() throws Exception {
    polaris();
    JsonNode item = resetItem(check("601"), "0000:0b:00.0");
    assertEquals("warn", item.get("status").asText());
    assertTrue(
        item.get("detail")
            .asText()
            .endsWith(
                ": an AMD GPU vendor-reset knows (the AMD reset bug), and its module vendor_reset"
                    + " is not loaded: install vendor-reset, load it at boot (/etc/modules), and"
                    + " reset with device_specific (gpu-release reset.methods: [device_specific]);"
                    + " reset methods now: bus"),
        item::toString);
    assertEquals(true, item.get("reset").get("vendorResetKnows").asBoolean());
  }

  @Test
  void withTheModuleLoadedTheKernelStillNeedsDeviceSpecificNamed() throws Exception {
    polaris();
    Files.createDirectories(root.resolve("sys/module/vendor_reset"));
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result result = check("601");
    JsonNode item = resetItem(result, "0000:0b:00.0");
    assertEquals("warn", item.get("status").asText());
    assertTrue(
        item.get("detail")
            .asText()
            .endsWith(
                ": vendor_reset is loaded, but its reset_method does not name device_specific, so"
                    + " the kernel does not use it: gpu-release reset.methods: [device_specific],"
                    + " or vendor-reset's udev rule; reset methods now: device_specific bus"),
        item::toString);
    assertEquals("[\"device_specific\",\"bus\"]", item.get("reset").get("offered").toString());
    assertEquals(before, HostTree.snapshotOf(root), "check changes nothing");

    Files.writeString(
        root.resolve("sys/bus/pci/devices/0000:0b:00.0/reset_method").toRealPath(),
        "device_specific bus\n");
    JsonNode now = resetItem(check("601"), "0000:0b:00.0");
    assertEquals("pass", now.get("status").asText(), now::toString);
  }

  @Test
  void aKernelWithoutResetMethodSaysTheOrderCannotBeChosen() throws Exception {
    audioWithFlr();
    Files.delete(root.resolve("sys/bus/pci/devices/0000:0b:00.1/reset_method").toRealPath());
    JsonNode item = resetItem(check("601"), "0000:0b:00.1");
    assertEquals("pass", item.get("status").asText());
    assertTrue(
        item.get("detail")
            .asText()
            .endsWith(
                ": can be reset; this kernel has no reset_method (before Linux 5.15), so the"
                    + " order cannot be chosen"),
        item::toString);
    Cli.Result text = Cli.run(List.of("--root", root.toString(), "--simulate", "check", "601"));
    assertTrue(text.out().contains("no reset_method (before Linux 5.15)"), text::toString);
  }

  /** The Radeon's audio function with a function level reset. */
  private void audioWithFlr() throws Exception {
    Path dir = root.resolve("sys/bus/pci/devices/0000:0b:00.1").toRealPath();
    Files.writeString(dir.resolve("reset"), "");
    Files.writeString(dir.resolve("reset_method"), "flr\n");
  }

  /** The Radeon made a Polaris 10 (RX 580), which vendor-reset knows, with a bus reset. */
  private void polaris() throws Exception {
    Path dir = root.resolve("sys/bus/pci/devices/0000:0b:00.0").toRealPath();
    Files.writeString(dir.resolve("device"), "0x67df\n");
    Files.writeString(dir.resolve("reset"), "");
    Files.writeString(dir.resolve("reset_method"), "bus\n");
  }

  private Cli.Result check(String vmid) {
    List<String> all =
        new ArrayList<>(List.of("--root", root.toString(), "--simulate", "--json", "check", vmid));
    return Cli.run(all);
  }

  private static JsonNode resetItem(Cli.Result result, String function) {
    for (JsonNode item : result.json().get("items")) {
      if (item.has("reset") && item.get("reset").get("function").asText().equals(function)) {
        return item;
      }
    }
    throw new AssertionError("no reset line for " + function + " in " + result);
  }
}
