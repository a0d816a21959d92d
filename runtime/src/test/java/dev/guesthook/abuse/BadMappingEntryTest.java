package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pci.cfg entry Proxmox accepts but guesthook cannot use (an Intel VMD device in PCI domain
 * 10000): only the guest that uses that mapping is refused, naming the entry; VM 602's rx6800
 * mapping still works.
 */
class BadMappingEntryTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final String VMD = "vmd-nvme\n\tmap node=pve-sandbox,path=10000:01:00.0,id=8086:1234\n";
  static final String REFUSAL =
      "mapping 'vmd-nvme' cannot be used: /etc/pve/mapping/pci.cfg:%d: map path '10000:01:00.0':"
          + " PCI domains wider than 4 hex digits (such as Intel VMD's) are not supported by guesthook";

  @TempDir Path base;
  Path root;
  int vmdLine;

  @BeforeEach
  void aVmdMappingNextToTheRadeons() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    Path cfg = root.resolve("etc/pve/mapping/pci.cfg");
    String before = Files.readString(cfg);
    vmdLine = (int) before.lines().count() + 3; // a blank line, the id, then its map line
    Files.writeString(cfg, before + "\n" + VMD);
    Files.writeString(
        root.resolve("etc/pve/qemu-server/603.conf"),
        "hostpci0: mapping=vmd-nvme,pcie=1\nmemory: 2048\n");
  }

  private Cli.Result run(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  /**
   * Every file of the sandbox host but guesthook's own bookkeeping (recordings, journals, locks,
   * hook cache) and the simulator's own lock.
   */
  private Map<Path, String> hostFiles() throws Exception {
    Map<Path, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        String relative = root.relativize(file).toString();
        if (Stream.of(
                "var/lib/guesthook", "run/guesthook", "var/cache/guesthook", ".simulator/locks")
            .noneMatch(relative::startsWith)) {
          out.put(
              file,
              new String(
                  Files.readAllBytes(file),
                  StandardCharsets.ISO_8859_1)); // bytes as they are: config space is binary
        }
      }
    }
    return out;
  }

  @Test
  void vm602StillStartsThroughItsOwnMapping() {
    Cli.Result start = run("602", "pre-start");
    assertEquals(ExitCodes.OK, start.exitCode(), start::toString);
    assertFalse(start.toString().contains("vmd-nvme"), start::toString);
  }

  @Test
  void theGuestUsingTheBadEntryIsRefusedNamingItAndNothingChanges() throws Exception {
    Map<Path, String> before = hostFiles();
    Cli.Result start = run("603", "pre-start");
    assertEquals(ExitCodes.HOOK_FAILED, start.exitCode(), start::toString);
    assertTrue(start.toString().contains(REFUSAL.formatted(vmdLine)), start::toString);
    Map<Path, String> after = hostFiles();
    assertEquals(
        List.of(),
        before.keySet().stream().filter(f -> !before.get(f).equals(after.get(f))).toList(),
        "changed");
    assertEquals(
        List.of(), after.keySet().stream().filter(f -> !before.containsKey(f)).toList(), "created");
  }

  @Test
  void checkNamesTheBadEntryForItsGuestOnly() {
    Cli.Result bad = run("check", "603");
    assertEquals(ExitCodes.HOOK_FAILED, bad.exitCode(), bad::toString);
    assertTrue(bad.out().contains(REFUSAL.formatted(vmdLine)), bad::toString);
    Cli.Result good = run("check", "602");
    assertFalse(good.toString().contains("vmd-nvme"), good::toString);
  }

  /**
   * Damage around other entries of pci.cfg, as pve-common's SectionConfig reads it: VM 602 still
   * starts through rx6800; a guest using the damaged mapping (if there is one) is refused naming
   * file:line. Before, each of these failed VM 602's start too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"nul", "no-indent", "bad-id", "dup-id", "crlf"})
  void damageAroundAnotherEntryNeverStopsVm602(String damage) throws Exception {
    Path cfg = root.resolve("etc/pve/mapping/pci.cfg");
    String file = Files.readString(cfg);
    String refusal =
        switch (damage) {
          case "nul" ->
              damaged(
                  cfg,
                  file,
                  "\ndamaged\n\tmap node=pve-sandbox,path=0000:0b:00\0,id=1002:73bf\n",
                  "control character in '\\x09map node=pve-sandbox,path=0000:0b:00\\x00,id=1002:73bf'");
          case "no-indent" ->
              damaged(
                  cfg, file, "\nbroken entry without indentation\nmap node=pve-sandbox\n", null);
          case "bad-id" ->
              damaged(
                  cfg,
                  file,
                  "\n../../etc\n\tmap node=pve-sandbox,path=0000:0b:00,id=1002:73bf\n",
                  null);
          case "dup-id" ->
              damaged(
                  cfg,
                  file,
                  "\nvmd-nvme\n\tmap node=pve-sandbox,path=0000:0b:00,id=1002:73bf\n",
                  null);
          case "crlf" -> {
            Files.writeString(
                cfg,
                file.replace("\n" + VMD, "")
                    .replace("\n", "\r\n")); // rx6800 alone, as an editor on Windows saves it
            yield null;
          }
          default -> throw new IllegalArgumentException(damage);
        };
    Cli.Result start = run("602", "pre-start");
    assertEquals(ExitCodes.OK, start.exitCode(), start::toString);
    assertTrue(
        start.out().contains("0000:0b:00.0: amdgpu -> vfio-pci")
            || start.out().contains("ok       pci-mapping"),
        start::toString);
    if (refusal != null) {
      Map<Path, String> before = hostFiles();
      Cli.Result bad = run("604", "pre-start");
      assertEquals(ExitCodes.HOOK_FAILED, bad.exitCode(), bad::toString);
      assertTrue(bad.out().contains(refusal), () -> "names " + refusal + "\n" + bad);
      assertEquals(before, hostFiles(), "nothing changed for the refused guest");
    }
  }

  /**
   * Appends {@code damage} (a blank line first, as Proxmox separates sections), and VM 604 using
   * mapping 'damaged'.
   */
  private String damaged(Path cfg, String file, String damage, String problem) throws Exception {
    Files.writeString(cfg, file + damage, StandardCharsets.ISO_8859_1);
    Files.writeString(
        root.resolve("etc/pve/qemu-server/604.conf"),
        "hostpci0: mapping=damaged,pcie=1\nmemory: 2048\n");
    int line = vmdLine + 2 + (problem != null && problem.startsWith("control") ? 1 : 0);
    return problem == null ? null : "/etc/pve/mapping/pci.cfg:" + line + ": " + problem;
  }
}
