package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.Golden;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** guesthook doctor on a sandbox node: each line's verdict and fix, and that it changes nothing. */
class DoctorCommandTest {
  @TempDir Path base;
  Path root;
  Path hooks;

  @BeforeEach
  void aSandboxNode() throws Exception {
    root = base.resolve("root");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * The sandbox's guests have settings for the stock hooks; tests that load other hooks drop them.
   */
  private void withoutGuestSettings() throws Exception {
    try (var files = Files.list(root.resolve("etc/pve/guesthook"))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
  }

  @Test
  void eachGuestsHookscriptHooksAndJournalsGetAVerdictAndAFix() throws Exception {
    withoutGuestSettings();
    Path client = Files.createDirectories(root.resolve("var/lib/vz/snippets")).resolve("guesthook");
    Files.writeString(client, "#!/bin/sh\n");
    Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
    edit(502, "hookscript: local:snippets/guesthook", "hookscript: local:snippets/old.pl");
    edit(503, "hookscript: local:snippets/guesthook\n", "");
    edit(504, "hookscript: local:snippets/guesthook", "hookscript: ceph-pool:snippets/guesthook");
    Files.writeString(hooks.resolve("broken.groovy"), "hook('broken') { on('pre-start') {\n");
    Files.createDirectories(root.resolve("var/lib/guesthook/journal"));
    Files.writeString(
        root.resolve("var/lib/guesthook/journal/501.jsonl"),
        "{\"seq\":1,\"at\":\"2026-11-24T10:00:00Z\",\"intent\":{\"kind\":\"vf-claimed\",\"vf\":\"0000:03:02.1\"}}\n");
    Map<String, String> before = HostTree.snapshotOf(root);

    Cli.Result doctor =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                hooks.toString(),
                "--json",
                "doctor"));
    new Golden()
        .path("ROOT", root)
        .path("HOOKS", hooks)
        .assertMatches("doctor/a-verdict-and-a-fix-for-each-json", doctor);
    assertEquals(before, HostTree.snapshotOf(root), "doctor only reads");
  }

  @Test
  void recordingsOfAGuestNoLongerOnThisNodeAreAWarningWithTheCommandThatRemovesThem()
      throws Exception {
    withoutGuestSettings();
    Path client = Files.createDirectories(root.resolve("var/lib/vz/snippets")).resolve("guesthook");
    Files.writeString(client, "#!/bin/sh\n");
    Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path recordings = Files.createDirectories(root.resolve("var/lib/guesthook/recordings"));
    for (String file :
        List.of(
            "501-2026-11-24.jsonl",
            "777-2026-11-23.jsonl",
            "777-2026-11-24.jsonl",
            "777-2026-11-24.jsonl.1",
            "7770-2026-11-24.jsonl",
            "12-2026-11-24.jsonl",
            "777-notes.txt")) {
      Files.writeString(recordings.resolve(file), "{}\n");
    }
    Files.createDirectories(root.resolve("etc/pve/qemu-server"));
    Files.writeString(
        root.resolve("etc/pve/qemu-server/7770.conf"),
        "memory: 512\n"); // a guest here: its recordings stay

    Cli.Result doctor =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                hooks.toString(),
                "--json",
                "doctor"));
    assertEquals(0, doctor.exitCode(), "a warning is not a failure: " + doctor);
    String warning =
        "warn recordings of VM 777: 3 file(s), but VM 777 is not on this node (destroyed, or migrated away);"
            + " fix: rm /var/lib/guesthook/recordings/777-*.jsonl*";
    assertEquals(
        List.of(warning),
        lines(doctor.json()).stream().filter(line -> line.contains("recordings")).toList());

    String fix =
        warning
            .substring(warning.indexOf("fix: ") + "fix: ".length())
            .replace(" /", " " + root + "/");
    assertEquals(0, new ProcessBuilder("sh", "-c", fix).inheritIO().start().waitFor());
    Cli.Result fixed =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                hooks.toString(),
                "--json",
                "doctor"));
    assertEquals(
        List.of("pass recordings: every recorded guest is on this node"),
        lines(fixed.json()).stream().filter(line -> line.contains("recordings")).toList());
    try (var left = Files.list(recordings)) {
      assertEquals(
          List.of(
              "12-2026-11-24.jsonl",
              "501-2026-11-24.jsonl",
              "777-notes.txt",
              "7770-2026-11-24.jsonl"),
          left.map(file -> file.getFileName().toString()).sorted().toList(),
          "only VM 777's recordings went");
    }
  }

  @Test
  void aHookFolderThatDoesNotExistFailsAndSettingsForHooksNotLoadedAreWarnings() throws Exception {
    Path missing = base.resolve("hooks-typo");
    Files.writeString(root.resolve("etc/pve/guesthook/502.yaml"), "sriov_vf:\n  vfs: []\n");
    Files.writeString(
        root.resolve("etc/pve/guesthook/503.yaml"),
        "cpu-governor: { cpus: [2] }\n"); // not on this node
    Files.writeString(
        root.resolve("etc/pve/guesthook/504.yaml"),
        "sriov-vf:\n  vfs:\n    - { mapping: x, trust: \"no\" }\n");
    Map<String, String> before = HostTree.snapshotOf(root);
    Path stock = Path.of("../hooks/stock").toAbsolutePath().normalize();
    Cli.Result doctor =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                stock.toString(),
                "--hooks",
                missing.toString(),
                "--json",
                "doctor"));
    assertEquals(1, doctor.exitCode(), doctor::toString);
    List<String> lines = lines(doctor.json());
    assertEquals(
        List.of(
            "fail hook folder: "
                + missing
                + " does not exist: every phase stops with exit 2; fix: create"
                + " it, or correct hook-dirs in /etc/guesthook/guesthook.yaml"),
        lines.stream().filter(line -> line.contains("hook folder")).toList());

    Cli.Result found =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                stock.toString(),
                "--json",
                "doctor"));
    List<String> settings =
        lines(found.json()).stream().filter(line -> line.contains(" settings: ")).toList();
    assertEquals(
        List.of(
            "warn VM 502 settings: "
                + root.resolve("etc/pve/guesthook/502.yaml")
                + ":1:1: sriov_vf: no hook named 'sriov_vf' is loaded; did you"
                + " mean 'sriov-vf'? (loaded: device-health, gpu-release, hibernate, hibernate-record, mdev, pci-mapping, sriov-vf); its phases stop"
                + " (exit 2) on this node until the hook is installed here or the settings go; after correcting it:"
                + " guesthook check 502",
            "warn VM 503 settings: "
                + root.resolve("etc/pve/guesthook/503.yaml")
                + ":1:1: cpu-governor: no hook named 'cpu-governor' is loaded"
                + " (loaded: device-health, gpu-release, hibernate, hibernate-record, mdev, pci-mapping, sriov-vf); its phases stop"
                + " (exit 2) on this node until the hook is installed here or the settings go; after correcting it:"
                + " guesthook check 503",
            "fail VM 504 settings: "
                + root.resolve("etc/pve/guesthook/504.yaml")
                + ":3:28: sriov-vf.vfs[0].trust: expected true or false, found"
                + " the string \"no\"; fix: write true or false; after correcting it: guesthook check 504"),
        settings);
    assertEquals(before, HostTree.snapshotOf(root), "doctor only reads");
  }

  private static List<String> lines(JsonNode doc) {
    List<String> out = new ArrayList<>();
    doc.get("items")
        .forEach(
            i ->
                out.add(
                    i.get("status").asText()
                        + " "
                        + i.get("subject").asText()
                        + ": "
                        + i.get("detail").asText()));
    return out;
  }

  private void edit(int vmid, String from, String to) throws Exception {
    Path conf = root.resolve("etc/pve/qemu-server/" + vmid + ".conf");
    Files.writeString(conf, Files.readString(conf).replace(from, to));
  }
}
