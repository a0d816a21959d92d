package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.VmId;
import dev.guesthook.testsupport.Engines;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.ProcLocks;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hook cannot open or change guesthook's own locks and journals through its API. A guest's lock
 * is an fcntl lock, which the kernel drops when the process closes any descriptor of its file: a
 * hook of serve reading its guest's lock file let another process take the guest while the phase
 * still ran (helper pass).
 */
class HookTouchingOwnStateTest {
  @TempDir Path base;
  HostTree host;
  Vertx vertx;

  @BeforeEach
  void aGuest() {
    host = HostTree.create(base).vm(101, "memory: 512\n");
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Reading the lock file, or listing it: Java opens a path to list it, and closes it on finding a
   * file, so a hook walking /run/guesthook by trying list on each entry dropped its guest's lock
   * too (adversary pass). The locks' folder itself may still be listed.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "read('/run/guesthook/locks/vm-101.lock')",
        "list('/run/guesthook/locks/vm-101.lock')"
      })
  void aHookOpeningItsGuestsLockFileIsRefusedAndTheLockStaysHeld(String call) throws Exception {
    host.hook(
        "peek.groovy",
        """
        hook('peek') {
          on('pre-start') { ev ->
            log.info list('/run/guesthook/locks').toString()
            try {
              CALL
            } finally {
              write '/var/tmp/peeked', 'yes'
              Thread.sleep(1500)
            }
          }
        }
        """
            .replace("CALL", call));
    Files.createDirectories(host.root().resolve("var/tmp"));
    CompletableFuture<Engine.Run> run = preStart();
    Path peeked = host.root().resolve("var/tmp/peeked");
    for (int i = 0; i < 500 && Files.notExists(peeked); i++) {
      Thread.sleep(20);
    }

    assertTrue(Files.exists(peeked), "the hook ran");
    assertTrue(
        ProcLocks.heldByThisProcess(host.root().resolve("run/guesthook/locks/vm-101.lock")),
        "held while the phase runs");
    Engine.Run done = run.get(30, TimeUnit.SECONDS);
    String told = done.result().toString();
    assertEquals(1, done.result().exitCode(false), told);
    assertTrue(told.contains("EPERM") && told.contains("not a hook's to open"), told);
  }

  /** /var/run is a link to /run on every Debian: the same lock file by another name. */
  @Test
  void aHookReadingTheLockThroughVarRunIsRefusedToo() throws Exception {
    Files.createDirectories(host.root().resolve("var"));
    Files.createSymbolicLink(host.root().resolve("var/run"), Path.of("../run"));
    host.hook(
        "peek.groovy",
        """
        hook('peek') { on('pre-start') { ev -> read('/var/run/guesthook/locks/vm-101.lock') } }
        """);

    Engine.Run done = preStart().get(30, TimeUnit.SECONDS);

    assertEquals(1, done.result().exitCode(false), done.result()::toString);
    assertTrue(done.result().toString().contains("not a hook's to open"), done.result()::toString);
  }

  @Test
  void aHookWritingAJournalIsRefusedAndNothingIsWritten() throws Exception {
    host.hook(
        "forge.groovy",
        """
        hook('forge') {
          on('pre-start') { ev -> write '/var/lib/guesthook/journal/102.jsonl', '{}' }
        }
        """);
    Path journals = host.root().resolve("var/lib/guesthook/journal");
    Files.createDirectories(journals); // as on a node where a guest noted a change once
    Files.setPosixFilePermissions(journals, PosixFilePermissions.fromString("rwx------"));

    Engine.Run done = preStart().get(30, TimeUnit.SECONDS);

    assertEquals(1, done.result().exitCode(false), done.result()::toString);
    assertTrue(done.result().toString().contains("not a hook's to open"), done.result()::toString);
    assertTrue(Files.notExists(journals.resolve("102.jsonl")), "nothing written");
  }

  private CompletableFuture<Engine.Run> preStart() throws Exception {
    JsonObject flags =
        new JsonObject()
            .put("root", host.root().toString())
            .put("hook-dirs", new JsonArray().add(host.hooks().toString()))
            .put("hook-timeout", 10);
    Settings settings = Engines.settings(vertx, flags, host.hooks());
    Engine engine =
        new Engine(vertx, settings, new LinuxHost(host.root()), Clock.systemUTC()).resident();
    return engine
        .run(VmId.parse("101"), Phase.PRE_START, Optional.empty(), Engines.QUIET)
        .toCompletionStage()
        .toCompletableFuture();
  }
}
