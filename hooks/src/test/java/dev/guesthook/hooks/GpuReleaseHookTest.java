package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.testkit.Cli;
import dev.guesthook.testkit.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stock/gpu-release.groovy: after stop, every function of the VM's GPU goes back to the host driver. */
class GpuReleaseHookTest {
  static final Path STOCK = Path.of("stock").toAbsolutePath();

  @TempDir Path base;
  HostTree host;

  @BeforeEach
  void gpuBoundToVfio() throws Exception {
    host = HostTree.create(base);
    host.vm(101, "hostpci0: 0000:01:00,pcie=1,x-vga=1\nmemory: 8192\n");
    for (String driver : List.of("vfio-pci", "amdgpu")) {
      host.file("sys/bus/pci/drivers/" + driver + "/unbind", "");
    }
    host.file("sys/bus/pci/drivers_probe", "");
    for (String function : List.of("0000:01:00.0", "0000:01:00.1")) {
      host.file("sys/bus/pci/devices/" + function + "/driver_override", "(null)\n");
      Files.createSymbolicLink(host.root().resolve("sys/bus/pci/devices/" + function + "/driver"), Path.of("../../drivers/vfio-pci"));
    }
  }

  private Cli.Result postStop(String settings) {
    host.file("etc/guesthook/guesthook.yaml", "vms:\n  \"101\":\n    gpu-release: " + settings + "\n");
    return Cli.run(List.of("--json", "--root", host.root().toString(), "--hooks", STOCK.toString(), "101", "post-stop"));
  }

  private static JsonNode hook(Cli.Result result, String name) {
    for (JsonNode hook : result.json().get("hooks")) {
      if (hook.get("name").asText().equals(name)) {
        return hook;
      }
    }
    throw new AssertionError("no hook " + name + " in " + result);
  }

  private static List<String> writes(JsonNode hook) {
    List<String> writes = new ArrayList<>();
    hook.get("changes").forEach(c -> writes.add(c.get("target").asText() + "=" + c.get("value").asText()));
    return writes;
  }

  @Test
  void everyFunctionIsRebound() {
    Cli.Result result = postStop("{ driver: amdgpu }");
    assertEquals(0, result.exitCode(), result::toString);
    JsonNode hook = hook(result, "gpu-release");
    assertEquals("ok", hook.get("outcome").asText(), result::toString);
    assertEquals(List.of(
        "/sys/bus/pci/devices/0000:01:00.0/driver_override=amdgpu",
        "/sys/bus/pci/drivers/vfio-pci/unbind=0000:01:00.0",
        "/sys/bus/pci/drivers_probe=0000:01:00.0",
        "/sys/bus/pci/devices/0000:01:00.1/driver_override=amdgpu",
        "/sys/bus/pci/drivers/vfio-pci/unbind=0000:01:00.1",
        "/sys/bus/pci/drivers_probe=0000:01:00.1"), writes(hook));
    assertEquals("amdgpu", host.read("sys/bus/pci/devices/0000:01:00.1/driver_override"));
  }

  @Test
  void explicitDeviceListLimitsTheRelease() {
    JsonNode hook = hook(postStop("{ driver: amdgpu, devices: [\"0000:01:00.0\"] }"), "gpu-release");
    assertEquals(3, writes(hook).size());
  }

  @Test
  void hibernationKeepsTheDeviceForTheResume() {
    host.vm(101, "hostpci0: 0000:01:00\nlock: suspended\nvmstate: local-lvm:vm-101-state-suspend-2026-11-20\n");
    Map<String, String> before = host.snapshot();
    Cli.Result result = postStop("{ driver: amdgpu }");
    JsonNode hook = hook(result, "gpu-release");
    assertEquals("skipped", hook.get("outcome").asText());
    assertEquals("hibernated: the devices stay with vfio-pci for the resume", hook.get("message").asText());
    before.put("etc/guesthook", host.snapshot().get("etc/guesthook"));
    before.put("etc/guesthook/guesthook.yaml", host.snapshot().get("etc/guesthook/guesthook.yaml"));
    assertEquals(before, host.snapshot());
  }

  @Test
  void withoutADriverSettingTheHookStandsAside() {
    JsonNode hook = hook(postStop("{ }"), "gpu-release");
    assertEquals("skipped", hook.get("outcome").asText());
    assertEquals("no gpu-release.driver set for this VM", hook.get("message").asText());
  }

  @Test
  void aDriverNameThatIsNotOneIsRefusedBeforeAnyWrite() {
    Cli.Result result = postStop("{ driver: \"../../evil\" }");
    JsonNode hook = hook(result, "gpu-release");
    assertEquals("failed", hook.get("outcome").asText());
    assertEquals("gpu-release.driver '../../evil' is not a driver name (at gpu-release.groovy:23)", hook.get("message").asText());
    assertEquals(List.of(), writes(hook));
    assertEquals(0, result.exitCode(), "post-stop failures are reported, not fatal");
  }
}
