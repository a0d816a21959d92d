package dev.guesthook.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.Hooks;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A sandbox host for the stock hooks: each phase runs as its own guesthook process, as Proxmox runs
 * it.
 */
final class SandboxHost {
  static final Path STOCK = Hooks.stock();
  final Path root;

  SandboxHost(Path base, SandboxProfile profile) {
    root = base.resolve("host");
    try {
      Sandbox.create(root, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Cli.Result phase(int vmid, String phase, String... flags) {
    return run(true, vmid, phase, flags);
  }

  /** Runs a phase as Proxmox does (no --json): the task log on stdout. */
  Cli.Result taskLog(int vmid, String phase) {
    return run(false, vmid, phase);
  }

  private Cli.Result run(boolean json, int vmid, String phase, String... flags) {
    List<String> args = new java.util.ArrayList<>(json ? List.of("--json") : List.of());
    args.addAll(List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    args.addAll(List.of(flags));
    args.addAll(List.of(Integer.toString(vmid), phase));
    return Cli.run(args);
  }

  /** {@code guesthook --json check <vmid>} with the stock hooks; reads only. */
  Cli.Result check(int vmid) {
    return Cli.run(
        List.of(
            "--json",
            "--root",
            root.toString(),
            "--simulate",
            "--hooks",
            STOCK.toString(),
            "check",
            Integer.toString(vmid)));
  }

  Faults faults() {
    return new Faults(new FileTree(root));
  }

  void settings(int vmid, String yaml) {
    write("etc/pve/guesthook/" + vmid + ".yaml", yaml);
  }

  void write(String relative, String content) {
    try {
      Files.createDirectories(root.resolve(relative).getParent());
      Files.writeString(root.resolve(relative), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String read(String relative) {
    try {
      return Files.readString(root.resolve(relative)).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String driver(String address) {
    try {
      Path link = root.resolve("sys/bus/pci/devices/" + address + "/driver");
      return Files.isSymbolicLink(link)
          ? Files.readSymbolicLink(link).getFileName().toString()
          : "(none)";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything on the host except guesthook's compile cache and the fault list the test set up. */
  Map<String, String> snapshot() {
    Map<String, String> all = HostTree.snapshotOf(root);
    all.keySet().removeIf(path -> path.startsWith(".simulator/faults.json"));
    return all;
  }

  /**
   * Runs a phase that must be refused: exit 1, the hook's message starting with {@code message},
   * and the host exactly as before. Returns the result for further checks.
   */
  Cli.Result assertRefusedWithoutChange(int vmid, String phase, String hookName, String message) {
    Map<String, String> before = snapshot();
    Cli.Result result = phase(vmid, phase);
    org.junit.jupiter.api.Assertions.assertEquals(1, result.exitCode(), result::toString);
    String actual = hook(result, hookName).get("message").asText();
    org.junit.jupiter.api.Assertions.assertTrue(
        actual.startsWith(message), () -> "message was: " + actual);
    org.junit.jupiter.api.Assertions.assertEquals(before, snapshot(), "the host changed");
    return result;
  }

  /**
   * A host file (e.g. {@code /etc/pve/guesthook/501.yaml}) where it is on this machine, as messages
   * name it.
   */
  String at(String hostPath) {
    return root + hostPath;
  }

  /**
   * Runs a phase whose settings must be refused before any hook runs: exit 2, nothing on stdout,
   * one error line starting with {@code message}, and the host exactly as before. Returns the line.
   */
  String assertSettingsRefused(int vmid, String phase, String message, String... flags) {
    Map<String, String> before = snapshot();
    Cli.Result result = phase(vmid, phase, flags);
    org.junit.jupiter.api.Assertions.assertEquals(2, result.exitCode(), result::toString);
    org.junit.jupiter.api.Assertions.assertEquals("", result.out(), result::toString);
    org.junit.jupiter.api.Assertions.assertTrue(
        result.err().startsWith("guesthook: error: " + message), result::toString);
    org.junit.jupiter.api.Assertions.assertEquals(
        1, result.err().strip().lines().count(), "one task-log line");
    org.junit.jupiter.api.Assertions.assertEquals(before, snapshot(), "the host changed");
    return result.err().strip();
  }

  static JsonNode hook(Cli.Result result, String name) {
    for (JsonNode hook : result.json().get("hooks")) {
      if (hook.get("name").asText().equals(name)) {
        return hook;
      }
    }
    throw new AssertionError("no hook " + name + " in " + result);
  }
}
