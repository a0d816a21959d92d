package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.id.VmId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a resident runtime keeps on the bus, and that what it no longer needs leaves it. */
class ResidentHooksTest {
  static final VmId GUEST = new VmId(101);
  static final Duration GRACE = Duration.ofMillis(50);

  @TempDir Path base;
  Path hooks;
  Vertx vertx;
  ResidentHooks resident;

  @BeforeEach
  void oneHookFolder() throws Exception {
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    write("one");
    vertx = Vertx.vertx();
    HookLoader loader =
        new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(5));
    resident = new ResidentHooks(vertx, loader, List.of(hooks), GRACE, true);
  }

  @AfterEach
  void stop() throws Exception {
    resident.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void write(String name) throws Exception {
    Path file = hooks.resolve("own.groovy");
    Files.writeString(file, "hook('" + name + "') { on('pre-start') { ev -> } }\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static <T> T done(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Collects until the condition holds, for at most ten seconds. */
  private static boolean afterCollections(BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  @Test
  void aDispatcherStartedForACatalogReplacedMeanwhileLeavesTheBusAfterTheGrace() throws Exception {
    HookCatalog replaced = resident.catalog(GUEST);
    write("a-longer-name"); // another size: a change the next phase sees
    resident.catalog(GUEST);
    WeakReference<Dispatcher> oneOff =
        new WeakReference<>(done(resident.dispatcher(GUEST, replaced)));
    // Its consumers on the bus hold it: once they are unregistered nothing does.
    assertTrue(
        afterCollections(() -> oneOff.get() == null), "the one-off dispatcher stays on the bus");
  }
}
