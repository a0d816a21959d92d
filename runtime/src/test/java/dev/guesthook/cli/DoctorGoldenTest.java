package dev.guesthook.cli;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code guesthook doctor} prints, whole, in text and {@code --json}, on the SR-IOV sandbox
 * with the stock hooks, one client installed and a journal left by a start that never stopped. The
 * expected output is in {@code src/test/resources/golden/doctor/}; see {@link Golden} for
 * regenerating it.
 */
class DoctorGoldenTest {
  private static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path base;
  Path root;
  Golden golden;

  @BeforeEach
  void aNodeWithALeftoverJournal() throws Exception {
    root = base.resolve("root");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path client = Files.createDirectories(root.resolve("var/lib/vz/snippets")).resolve("guesthook");
    Files.writeString(client, "#!/bin/sh\n");
    Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(root.resolve("var/lib/guesthook/journal"));
    Files.writeString(
        root.resolve("var/lib/guesthook/journal/501.jsonl"),
        "{\"seq\":1,\"at\":\"2026-11-24T10:00:00Z\",\"intent\":{\"kind\":\"vf-claimed\",\"vf\":\"0000:03:02.1\"}}\n");
    golden = new Golden().path("ROOT", root).path("STOCK", STOCK);
  }

  private Cli.Result doctor(String... options) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    all.addAll(List.of(options));
    all.add("doctor");
    return Cli.run(all);
  }

  @Test
  void text() {
    golden.assertMatches("doctor/node", doctor());
  }

  @Test
  void json() {
    golden.assertMatches("doctor/node-json", doctor("--json"));
  }
}
