package dev.guesthook.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client {@code install} writes falls back to the launcher that installed it, whatever its
 * path, and runs it: the script's own default is the package's {@code /usr/bin/guesthook}.
 */
class ClientScriptTest {
  @TempDir Path base;

  @Test
  void theClientFallsBackToTheInstallingLauncherEvenWithQuotesInItsPath() throws Exception {
    Path root = base.resolve("node");
    Sandbox.create(root, SandboxProfile.GVT_G);
    Path folder = Files.createDirectories(base.resolve("it's here"));
    Path launcher = folder.resolve("guesthook");
    Files.writeString(launcher, "#!/bin/sh\necho \"one-shot $*\"\nexit 5\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path client = base.resolve("client");
    String text = new Installer(root, SimulatedHost.sandbox(root), "pve1", launcher).clientScript();
    Files.writeString(client, text);
    Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder builder =
        new ProcessBuilder(client.toString(), "201", "pre-start").redirectErrorStream(true);
    builder.environment().put("GUESTHOOK_SOCKET", base.resolve("no-runtime.sock").toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));

    assertEquals(5, process.exitValue(), out);
    assertEquals("one-shot 201 pre-start\n", out);
  }
}
