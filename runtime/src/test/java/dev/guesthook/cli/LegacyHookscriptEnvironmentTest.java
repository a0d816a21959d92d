package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.journald.Journald;
import dev.guesthook.serve.ResidentRuntime;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A legacy hookscript sees what PVE::GuestHelpers::exec_hookscript gives it, whether guesthook runs
 * once per phase or as a resident runtime: argv {@code <file> <vmid> <phase>}, LC_ALL=C,
 * LVM_SUPPRESS_FD_WARNINGS=1, PVE_MIGRATED_FROM in the start task's phases, stdin at EOF.
 */
class LegacyHookscriptEnvironmentTest {
  @TempDir Path base;
  HostTree host;
  Path script;

  @BeforeEach
  void host() {
    host = HostTree.create(base);
    host.vm(101, "memory: 2048\nname: vm101\n");
    script =
        host.hook(
            "legacy.sh",
            """
        #!/bin/sh
        {
          echo "argv: $0 $*"
          echo "LC_ALL=${LC_ALL-unset}"
          echo "LVM_SUPPRESS_FD_WARNINGS=${LVM_SUPPRESS_FD_WARNINGS-unset}"
          echo "PVE_MIGRATED_FROM=${PVE_MIGRATED_FROM-unset}"
          echo "stdin: $(cat)"
        } > "%s/seen-$2"
        """
                .formatted(host.root()));
  }

  private String seen(String phase, String migratedFromSeen) {
    return "argv: "
        + script
        + " 101 "
        + phase
        + "\nLC_ALL=C\nLVM_SUPPRESS_FD_WARNINGS=1\n"
        + "PVE_MIGRATED_FROM="
        + migratedFromSeen
        + "\nstdin: \n";
  }

  @Test
  void oneShotGivesTheHookscriptProxmoxsEnvironment() {
    Cli.Result start =
        Cli.run(
            Map.of("PVE_MIGRATED_FROM", "pve2"), HostTree.args(host.options(), "101", "pre-start"));
    assertEquals(0, start.exitCode(), start::toString);
    Cli.Result stop = Cli.run(HostTree.args(host.options(), "101", "pre-stop"));
    assertEquals(0, stop.exitCode(), stop::toString);
    assertSeenAsUnderProxmox();
  }

  @Test
  void aResidentRuntimeGivesTheHookscriptProxmoxsEnvironmentNotItsOwn() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path socket = host.root().resolve("run/guesthook/guesthook.sock");
    JsonObject flags =
        new JsonObject()
            .put("root", host.root().toString())
            .put("hook-dirs", new JsonArray().add(host.hooks().toString()));
    Settings settings =
        new SettingsLoader(host.hooks())
            .load(vertx, flags, Optional.empty(), Map.of())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Engine engine =
        new Engine(vertx, settings, LinuxHost.over(host.root()), Clock.systemUTC()).resident();
    ResidentRuntime runtime =
        new ResidentRuntime(
            socket, ServeCommand.runner(engine, settings, Journald.OFF), line -> {});
    runtime.start();
    try {
      Map<String, String> env =
          new HashMap<>(
              Map.of(
                  "GUESTHOOK_SOCKET",
                  socket.toString(),
                  "GUESTHOOK_ONESHOT",
                  base.resolve("no-oneshot").toString()));
      assertEquals(0, client(Map.of("PVE_MIGRATED_FROM", "pve2"), env, "pre-start"));
      assertEquals(0, client(Map.of(), env, "pre-stop"));
    } finally {
      runtime.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertSeenAsUnderProxmox();
  }

  private void assertSeenAsUnderProxmox() {
    assertEquals(seen("pre-start", "pve2"), host.read("seen-pre-start"));
    assertEquals(
        seen("pre-stop", "unset"),
        host.read("seen-pre-stop"),
        "qemu-server sets PVE_MIGRATED_FROM only in the start task");
  }

  /**
   * The hookscript client as Proxmox runs it; the phase runs in this JVM, whose environment has no
   * LC_ALL.
   */
  private static int client(Map<String, String> extra, Map<String, String> env, String phase)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(List.of(ServeTest.CLIENT.toString(), "101", phase))
            .redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().putAll(extra);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
    assertTrue(out.contains("guesthook: " + phase + " ok"), out);
    return process.exitValue();
  }
}
