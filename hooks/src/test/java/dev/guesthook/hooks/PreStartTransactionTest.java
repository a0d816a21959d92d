package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journal;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.Hooks;
import dev.guesthook.testkit.Lifecycle;
import dev.guesthook.testsupport.MemoryTempDir;
import dev.guesthook.testsupport.SandboxCopies;
import dev.guesthook.testsupport.SandboxSnapshot;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stock hook's pre-start is a transaction at every step: for each sandbox profile and each of
 * its example VMs whose pre-start changes the host, the k-th host change fails (k = 1 .. N, N
 * counted in a clean pre-start of the same sandbox), and once more a later hook fails after the
 * last change. Each time the start is refused (exit 1), the sandbox is byte for byte as before the
 * pre-start ({@link SandboxSnapshot} says what is left out and why) and the guest's journal is
 * empty.
 */
class PreStartTransactionTest {
  private static final Path STOCK = Hooks.stock();
  private static final String LATER_HOOK = "a-later-hook-fails";

  @TempDir(factory = MemoryTempDir.class)
  static Path work;

  private static Vertx vertx;
  private static SandboxCopies sandboxes;
  private static Path laterHookDir;

  @BeforeAll
  static void oneVertxAndOneTemplatePerProfile() throws IOException {
    vertx = Vertx.vertx();
    sandboxes = new SandboxCopies(work.resolve("sandboxes"));
    laterHookDir = aLaterHookThatFails(work.resolve("later-hook"));
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @TestFactory
  Stream<DynamicTest> aFailureAfterEveryHostChangeLeavesTheSandboxAsItWas() {
    return Arrays.stream(SandboxProfile.values()).flatMap(PreStartTransactionTest::casesOf);
  }

  /** The cases of one profile: every example VM whose clean pre-start changes the host. */
  private static Stream<DynamicTest> casesOf(SandboxProfile profile) {
    return vmids(sandboxes.fresh(profile)).stream().flatMap(vmid -> casesOf(profile, vmid));
  }

  /** Change k of N fails, for every k; then all N are made and a later hook fails. */
  private static Stream<DynamicTest> casesOf(SandboxProfile profile, int vmid) {
    List<HostInteraction> changes = cleanPreStartChanges(profile, vmid);
    int n = changes.size();
    if (n == 0) {
      return Stream.empty();
    }
    String prefix = profile.id() + "/" + vmid + "/";
    Stream<DynamicTest> eachChangeFails =
        Stream.iterate(1, k -> k <= n, k -> k + 1)
            .map(
                k -> {
                  String name =
                      prefix + "change " + k + " of " + n + ": " + describe(changes.get(k - 1));
                  return DynamicTest.dynamicTest(
                      name, () -> changeFails(profile, vmid, k, changes.get(k - 1), name));
                });
    String afterAll = prefix + "after change " + n + " of " + n + ": " + LATER_HOOK;
    return Stream.concat(
        eachChangeFails,
        Stream.of(
            DynamicTest.dynamicTest(afterAll, () -> laterHookFails(profile, vmid, afterAll))));
  }

  /**
   * The host changes of a pre-start that nothing disturbs; none when that pre-start fails by
   * itself.
   */
  private static List<HostInteraction> cleanPreStartChanges(SandboxProfile profile, int vmid) {
    Path root = sandboxes.fresh(profile);
    DispatchResult clean = preStart(root, vmid, STOCK).last();
    sandboxes.keepCompiledHooks(root);
    if (clean.exitCode(false) != 0) {
      return List.of(); // a pre-start refused before it changes anything is another test's business
    }
    return changesOf(clean);
  }

  /** The k-th change fails: changes 1 .. k-1 must be undone. */
  private static void changeFails(
      SandboxProfile profile, int vmid, int k, HostInteraction change, String name) {
    Path root = sandboxes.fresh(profile);
    SandboxSnapshot before = SandboxSnapshot.of(root);
    SimulatedHost.sandbox(root).faults().failChange(k);
    Lifecycle.Outcome outcome = preStart(root, vmid, STOCK);
    DispatchResult result = outcome.last();
    List<HostInteraction> changes = changesOf(result);
    assertTrue(changes.size() >= k, () -> "the pre-start got to change k\n" + report(result));
    HostInteraction failed = changes.get(k - 1);
    assertEquals(
        change.target(),
        failed.target(),
        () -> "the fault hit the change the case names\n" + report(result));
    assertNotEquals(
        change.result(), failed.result(), () -> "the k-th change failed\n" + report(result));
    assertRolledBack(root, vmid, before, outcome);
  }

  /** Every change made, then a later hook fails: all N changes must be undone. */
  private static void laterHookFails(SandboxProfile profile, int vmid, String name) {
    Path root = sandboxes.fresh(profile);
    SandboxSnapshot before = SandboxSnapshot.of(root);
    Lifecycle.Outcome outcome = preStart(root, vmid, STOCK, laterHookDir);
    assertTrue(
        outcome.last().hooks().stream().anyMatch(h -> h.hook().equals(LATER_HOOK) && h.failed()),
        () -> report(outcome.last()));
    assertRolledBack(root, vmid, before, outcome);
  }

  /**
   * Exit 1, the sandbox as before and the journal empty, all by the hooks' own undo steps: the
   * reconcile that follows a failed pre-start is the net for an undo step that cannot work (a
   * device gone), and must find nothing. A wrong undo that it repairs did its harm meanwhile (a
   * function on another function's driver), and it repairs only what the journal lists (not a VF
   * count).
   */
  private static void assertRolledBack(
      Path root, int vmid, SandboxSnapshot before, Lifecycle.Outcome outcome) {
    DispatchResult result = outcome.last();
    assertEquals(1, result.exitCode(false), () -> "a failed pre-start exits 1\n" + report(result));
    SandboxSnapshot.of(root)
        .assertSameAs(before, "after the rolled-back pre-start\n" + report(result));
    assertTrue(
        new Journal(root.resolve("var/lib/guesthook/journal"), new VmId(vmid)).isEmpty(),
        () -> "the guest's journal is empty\n" + report(result));
    List<String> repaired =
        outcome.lines().stream()
            .filter(line -> line.contains("reconcile VM " + vmid + ":"))
            .toList();
    assertEquals(
        List.of(), repaired, () -> "the undo steps left work for the reconcile\n" + report(result));
  }

  private static Lifecycle.Outcome preStart(Path root, int vmid, Path... hookDirs) {
    try {
      return Lifecycle.of(vmid)
          .on(root)
          .hooks(hookDirs)
          .preStart()
          .run(vertx)
          .toCompletionStage()
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("VM " + vmid + " pre-start on " + root + " did not run", e);
    }
  }

  /** The host changes every hook made, in the order made (hooks run one after another). */
  private static List<HostInteraction> changesOf(DispatchResult result) {
    return result.hooks().stream()
        .flatMap(h -> h.interactions().stream())
        .filter(HostInteraction::changesHost)
        .toList();
  }

  private static List<Integer> vmids(Path root) {
    try (Stream<Path> configs = Files.list(root.resolve("etc/pve/qemu-server"))) {
      return configs
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".conf"))
          .map(f -> Integer.parseInt(f.substring(0, f.length() - ".conf".length())))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The change in a case's name: kind, target and a value that fits on the line (a UUID, a driver).
   */
  private static String describe(HostInteraction change) {
    String value =
        Optional.ofNullable(change.value())
            .map(String::strip)
            .filter(v -> !v.isEmpty() && !v.contains("\n") && v.length() <= 40)
            .map(v -> " " + v)
            .orElse("");
    return change.kind().wireName()
        + " "
        + change.target()
        + (change.kind() == HostInteraction.Kind.RUN ? "" : value);
  }

  /**
   * Every hook's outcome, its host actions and undo steps: what a reader needs when a case fails.
   */
  private static String report(DispatchResult result) {
    List<String> lines = new ArrayList<>();
    for (HookOutcome hook : result.hooks()) {
      lines.add(
          hook.hook()
              + ": "
              + hook.status().wireName()
              + (hook.message() == null ? "" : " - " + hook.message()));
      hook.interactions().stream()
          .filter(HostInteraction::changesHost)
          .forEach(i -> lines.add("    " + describe(i) + " -> " + i.result()));
      hook.undo()
          .forEach(
              u -> lines.add("    undo " + u.description() + ": " + (u.ok() ? "ok" : u.message())));
    }
    return String.join("\n", lines);
  }

  /** A hook after every stock hook (order 1000) whose pre-start fails, as a user's hook might. */
  private static Path aLaterHookThatFails(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(LATER_HOOK + ".groovy");
    Files.writeString(
        file,
        """
        hook('%s') {
          order 1000
          on('pre-start') { ev -> throw new IllegalStateException('injected: a hook after all stock hooks fails') }
        }
        """
            .formatted(LATER_HOOK));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return dir;
  }
}
