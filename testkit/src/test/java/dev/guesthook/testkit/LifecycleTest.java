package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Lifecycle}: settings for a hook, faults, the stock hooks by default and a root that is not
 * a sandbox, with hooks of the test's own on a sandbox.
 */
@ExtendWith(VertxExtension.class)
class LifecycleTest {
  static final int VM = 501;
  static final String GOVERNOR = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";

  /** Writes what its settings are, with their Java types, where a test can read it. */
  static final String FLAGGER =
      """
      hook('flagger') {
        settings {
          bool 'enabled'
          string 'label'
        }
        on('pre-start') { ev ->
          write '%s', "${settings.enabled.getClass().simpleName}:${settings.enabled} ${settings.label.getClass().simpleName}:${settings.label}"
        }
      }
      """
          .formatted(GOVERNOR);

  static final String OTHER =
      """
      hook('other') {
        settings {
          integer 'n'
        }
        on('pre-start') { ev -> }
      }
      """;

  @TempDir Path base;
  Path root;
  Path hooks;

  @BeforeEach
  void sandboxWithTwoHooksOfItsOwn() throws IOException {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Files.createDirectories(root.resolve(GOVERNOR.substring(1)).getParent());
    Files.writeString(root.resolve(GOVERNOR.substring(1)), "powersave\n");
    // The profile's settings are for the stock hooks, which these tests do not load.
    Files.writeString(
        root.resolve("etc/pve/guesthook/" + VM + ".yaml"),
        "other:\n  n: 5\nflagger: { enabled: false, label: old }\n");
    hooks = base.resolve("hooks");
    Files.createDirectories(hooks);
    hook("flagger.groovy", FLAGGER);
    hook("other.groovy", OTHER);
  }

  @Test
  void settingsReachTheHookWithTheirTypesAndTheOtherHooksEntriesStay() throws Exception {
    Lifecycle.Outcome outcome =
        Lifecycle.of(VM)
            .on(root)
            .hooks(hooks)
            .settings("flagger", Map.of("enabled", true, "label", "true"))
            .preStart()
            .run();

    assertEquals(0, outcome.exitCode(), String.join("\n", outcome.lines()));
    assertTrue(outcome.failures().isEmpty(), outcome.failures().toString());
    HostAssert.assertThat(root).file(GOVERNOR).hasContent("Boolean:true String:true");
    String file = Files.readString(root.resolve("etc/pve/guesthook/" + VM + ".yaml"));
    assertTrue(file.contains("other:\n  n: 5\n"), file);
    assertFalse(file.contains("old"), file);
  }

  @Test
  void aMisspelledSettingFailsThePhaseAsOnANode() throws Exception {
    Lifecycle.Outcome outcome =
        Lifecycle.of(VM)
            .on(root)
            .hooks(hooks)
            .settings("flagger", Map.of("enabeld", true, "label", "x"))
            .preStart()
            .run();

    assertEquals(2, outcome.exitCode());
    assertTrue(outcome.startAborted());
    assertEquals(
        List.of(
            "guesthook: error: "
                + root.resolve("etc/pve/guesthook/" + VM + ".yaml")
                + ":4:3: flagger.enabeld: unknown setting; did you mean 'enabled'?"
                + " (known: enabled, label)"),
        outcome.lines());
    HostAssert.assertThat(root).file(GOVERNOR).hasContent("powersave");
  }

  @Test
  void anInjectedWriteFaultFailsTheHooksWrite() throws Exception {
    HostSnapshot before = HostSnapshot.of(root);
    Lifecycle.Outcome outcome =
        Lifecycle.of(VM)
            .on(root)
            .hooks(hooks)
            .settings("flagger", Map.of("enabled", true, "label", "x"))
            .failWrite("/sys/devices/system/cpu/*/cpufreq/scaling_governor", "EBUSY")
            .preStart()
            .run();

    assertTrue(outcome.startAborted());
    assertEquals(1, outcome.exitCode());
    String failure = outcome.last().hooks().get(0).message();
    assertTrue(failure.contains("Device or resource busy (injected fault)"), failure);
    HostAssert.assertThat(root)
        .changedSince(before)
        .only("/etc/pve/guesthook/" + VM + ".yaml", "/var/lib/guesthook/**", "/run/**");
  }

  @Test
  void anInjectedCommandFailureFailsTheHooksCommand(Vertx vertx) throws Exception {
    Path commands = Files.createDirectories(base.resolve("commands"));
    Files.writeString(
        commands.resolve("link-up.groovy"),
        "hook('link-up') {\n  on('pre-start') { ev -> run 'ip', 'link', 'set', 'enp3s0f0', 'up' }\n}\n");
    Files.setPosixFilePermissions(
        commands.resolve("link-up.groovy"), PosixFilePermissions.fromString("rw-r--r--"));
    Lifecycle.Outcome outcome =
        Lifecycle.of(VM)
            .on(root)
            .hooks(hooks, commands)
            .settings("flagger", Map.of("enabled", true, "label", "x"))
            .failCommand("ip link set", 2, "RTNETLINK answers: Device or resource busy")
            .preStart()
            .run(vertx)
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);

    assertEquals(1, outcome.exitCode());
    String failure =
        outcome.last().hooks().stream()
            .filter(h -> h.hook().equals("link-up"))
            .findFirst()
            .orElseThrow()
            .message();
    assertTrue(failure.contains("ip link set enp3s0f0 up failed"), failure);
  }

  @Test
  void aDelayedWriteSlowsThePhase() throws Exception {
    long start = System.nanoTime();
    Lifecycle.Outcome outcome =
        Lifecycle.of(VM)
            .on(root)
            .hooks(hooks)
            .settings("flagger", Map.of("enabled", true, "label", "x"))
            .delayWrite(GOVERNOR, 1500, 1)
            .preStart()
            .run();

    assertEquals(0, outcome.exitCode(), String.join("\n", outcome.lines()));
    assertTrue(System.nanoTime() - start >= 1_500_000_000L);
  }

  @Test
  void anUnknownErrnoIsRefusedAtOnceWithTheKnownOnes() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> Lifecycle.of(VM).on(root).failWrite("/sys/**", "EBUSSY"));
    assertEquals(
        "unknown errno EBUSSY; one of [EACCES, EAGAIN, EBUSY, EINVAL, EIO, ENODEV, ENOENT,"
            + " ENOSPC, EPERM]",
        refused.getMessage());
  }

  @Test
  void withoutHookFoldersItLoadsTheStockHooks(Vertx vertx) {
    // guesthook-hooks is not on this module's test classpath, so the stock hooks' message shows.
    IllegalStateException stock =
        assertThrows(
            IllegalStateException.class, () -> Lifecycle.of(VM).on(root).preStart().run(vertx));
    assertTrue(stock.getMessage().contains("dev.guesthook:guesthook-hooks"), stock.getMessage());
  }

  @Test
  void aFolderThatIsNotASandboxIsRefusedSayingHowToMakeOne() throws IOException {
    Path plain = Files.createDirectories(base.resolve("plain"));
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> Lifecycle.of(VM).on(plain));
    assertEquals(
        plain
            + " is not a sandbox (it has no /.simulator/sandbox): make one with"
            + " Sandbox.create(root, SandboxProfile.MIXED) in the test, or"
            + " guesthook sandbox create DIR --profile mixed",
        refused.getMessage());
  }

  @Test
  void aHooksFailureIsInTheLinesAsTheTaskLogShowsItAndInFailures() throws Exception {
    hook(
        "thrower.groovy",
        """
        hook('thrower') {
          on('pre-start') { ev -> throw new DeviceException('x refuses') }
        }
        """);

    Lifecycle.Outcome outcome = Lifecycle.of(VM).on(root).hooks(hooks).preStart().run();

    assertTrue(outcome.startAborted());
    assertEquals(List.of("thrower: x refuses (at thrower.groovy:2)"), outcome.failures());
    List<String> lines = outcome.lines();
    assertTrue(lines.get(0).startsWith("guesthook: VM " + VM + " pre-start"), lines.toString());
    assertTrue(
        lines.stream().anyMatch(l -> l.matches("  FAILED +thrower \\(\\d+ ms\\): x refuses.*")),
        lines.toString());
    assertTrue(
        lines.get(lines.size() - 1).startsWith("guesthook: pre-start failed"), lines.toString());
  }

  private void hook(String name, String source) throws IOException {
    Path file = hooks.resolve(name);
    Files.writeString(file, source);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }
}
