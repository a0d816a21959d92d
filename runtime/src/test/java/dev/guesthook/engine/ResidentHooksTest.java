package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookCatalog.Severity;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.id.VmId;
import io.vertx.core.Vertx;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a resident runtime keeps loaded, and that nothing retains what it no longer needs. */
class ResidentHooksTest {
  static final VmId GUEST = new VmId(101);
  static final Duration LONGEST_PHASE = Duration.ofMillis(50);

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
    resident = lettingGoAfter(Duration.ofHours(1));
  }

  private ResidentHooks lettingGoAfter(Duration idle) {
    HookLoader loader =
        new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(5));
    return new ResidentHooks(vertx, loader, List.of(hooks), LONGEST_PHASE, true, idle);
  }

  @AfterEach
  void stop() throws Exception {
    resident.close();
    // Generous: on a loaded machine closing waits for threads that get little CPU; not a check.
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * serve runs the hooks it holds from memory for months; a one-shot phase that compiles another
   * hook prunes cache entries no load used for 30 days, and must not take theirs: serve's next
   * start and every one-shot fallback would compile them again.
   */
  @Test
  void theCacheEntriesOfHooksServeHoldsAreKeptWhileItRuns() throws Exception {
    resident.catalog(GUEST);
    Path entry;
    try (Stream<Path> files = Files.list(base.resolve("cache"))) {
      entry = files.filter(file -> file.toString().endsWith(".jar")).findFirst().orElseThrow();
    }
    Files.setLastModifiedTime(entry, FileTime.from(Instant.now().minus(Duration.ofDays(40))));

    resident.keepLoadedCached(); // what its sweep does once a day
    Path other = Files.createDirectories(base.resolve("other"));
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        other.resolve("other.groovy"), "hook('other') { on('pre-start') { ev -> } }\n");
    new HookLoader(List.of(other), base.resolve("cache"), Duration.ofSeconds(5))
        .load(Optional.of(GUEST)); // compiles, and prunes

    assertTrue(Files.exists(entry), "the entry of a hook serve holds");
  }

  /**
   * A file whose name java.io cannot decode under Proxmox's LC_ALL=C (a non-ASCII name: an editor's
   * backup, a README) sits in the hook folder: phases go on, and an edit of a hook is still seen
   * (adversary pass: the folder listed with java.io failed every phase of every guest).
   */
  @Test
  void aFileWithANonAsciiNameLeavesTheFolderWatched() throws Exception {
    resident.catalog(GUEST);
    Process made =
        new ProcessBuilder(
                "sh", "-c", "printf 'notes' > \"$(printf 'r\\303\\251sum\\303\\251.md')\"")
            .directory(hooks.toFile())
            .start();
    assertEquals(0, made.waitFor());
    write("one-edited");

    assertEquals(List.of("one-edited"), names(resident.catalog(GUEST)));
  }

  /**
   * A file the loader refuses (not executable) whose name is not ASCII: its notice is told, and the
   * phase's settings check, which skips refused files by name, goes on (adversary pass: the name
   * made Path.of throw under LC_ALL=C and failed every phase, one-shot ones too).
   */
  @Test
  void aRefusedFileWithANonAsciiNameLeavesThePhaseGoingOn() throws Exception {
    Process made =
        new ProcessBuilder("sh", "-c", "printf 'x' > \"$(printf 'r\\303\\251sum\\303\\251.txt')\"")
            .directory(hooks.toFile())
            .start();
    assertEquals(0, made.waitFor());

    HookCatalog catalog = resident.catalog(GUEST);

    assertTrue(names(catalog).contains("one"), () -> names(catalog).toString());
    assertEquals(1, catalog.namesNotChecked().size(), () -> catalog.notices().toString());
  }

  /** A dangling link beside a hook does not hide the hook's edits from the fingerprint. */
  @Test
  void aDanglingLinkLeavesTheOtherFilesWatched() throws Exception {
    Files.createSymbolicLink(hooks.resolve("a.groovy"), base.resolve("nowhere"));
    resident.catalog(GUEST);
    write("one-edited");

    assertTrue(names(resident.catalog(GUEST)).contains("one-edited"));
  }

  private void write(String name) throws Exception {
    writeText("hook('" + name + "') { on('pre-start') { ev -> } }\n");
  }

  private void writeText(String text) throws Exception {
    Path file = hooks.resolve("own.groovy");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
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

  /**
   * An edit that keeps the file's size and modification time (a restore with {@code cp -p} or
   * {@code rsync -t}, a same-length change within the file system's time resolution) is still an
   * edit: before, the guest's phases went on running the old text.
   */
  @Test
  void aHookReplacedWithTheSameSizeAndTimeIsLoadedAgain() throws Exception {
    Path file = hooks.resolve("own.groovy");
    FileTime time = Files.getLastModifiedTime(file);
    assertEquals(List.of("one"), names(resident.catalog(GUEST)));
    Path edited = base.resolve("edited.groovy");
    Files.writeString(edited, "hook('two') { on('pre-start') { ev -> } }\n");
    Files.setPosixFilePermissions(edited, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setLastModifiedTime(edited, time);
    Files.move(edited, file, StandardCopyOption.REPLACE_EXISTING);
    assertEquals(Files.size(file), "hook('one') { on('pre-start') { ev -> } }\n".length());
    assertEquals(time, Files.getLastModifiedTime(file));

    assertEquals(List.of("two"), names(resident.catalog(GUEST)), "the edit was seen");
  }

  @Test
  void aDispatcherMadeForACatalogReplacedMeanwhileIsNotRetained() throws Exception {
    HookCatalog replaced = resident.catalog(GUEST);
    write("a-longer-name"); // another size: a change the next phase sees
    resident.catalog(GUEST);
    WeakReference<Dispatcher> oneOff = new WeakReference<>(resident.dispatcher(GUEST, replaced));
    // Only the phase it was made for holds it: once that is done, nothing does.
    assertTrue(afterCollections(() -> oneOff.get() == null), "the one-off dispatcher is retained");
  }

  @Test
  void hookFilesSlowToLoadHoldNoOtherGuestPastItsTurnsWait() throws Exception {
    int turns = Runtime.getRuntime().availableProcessors();
    for (int slow = 0; slow < turns; slow++) {
      VmId guest = new VmId(201 + slow);
      writeIn(guest, "Thread.sleep(30_000)\nhook('slow') { on('pre-start') { ev -> } }\n");
      Thread loading = new Thread(() -> resident.catalog(guest));
      loading.setDaemon(true);
      loading.start();
    }
    Thread.sleep(500); // the slow files hold every turn
    VmId edited = new VmId(301);
    writeIn(edited, "hook('own') { on('pre-start') { ev -> } }\n");

    long start = System.nanoTime();
    HookCatalog catalog = resident.catalog(edited);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(names(catalog).contains("own"), () -> names(catalog).toString());
    assertTrue(
        took.compareTo(ResidentHooks.LOAD_TURN_WAIT.plusSeconds(5)) < 0,
        () -> "an ordinary guest waited " + took + " behind hook files slow to load");
  }

  private void writeIn(VmId guest, String text) throws Exception {
    Path folder = Files.createDirectories(hooks.resolve(guest.toString()));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path file = folder.resolve("own.groovy");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static List<String> names(HookCatalog catalog) {
    return catalog.hooks().stream().map(Hook::name).toList();
  }

  /** Waits for the sweeper to let the guest's hooks go. */
  private boolean letGo(ResidentHooks idle) throws Exception {
    return afterCollections(() -> idle.loadedGuests() == 0);
  }

  @Test
  void anIdleGuestsHooksAreLetGoUnretainedAndLoadAgainAtItsNextPhase() throws Exception {
    ResidentHooks idle = lettingGoAfter(Duration.ofMillis(100));
    try {
      WeakReference<Dispatcher> first =
          new WeakReference<>(idle.dispatcher(GUEST, idle.catalog(GUEST)));
      assertTrue(letGo(idle), "the idle guest's hooks stay loaded");
      assertTrue(afterCollections(() -> first.get() == null), "its let-go dispatcher is retained");
      HookCatalog again = idle.catalog(GUEST);
      assertEquals(List.of("one"), names(again), again::toString);
      assertTrue(idle.dispatcher(GUEST, again).hooks().size() == 1);
    } finally {
      idle.close();
    }
  }

  @Test
  void aLetGoGuestWhoseFileNoLongerLoadsKeepsTheVersionThatWorked() throws Exception {
    ResidentHooks idle = lettingGoAfter(Duration.ofMillis(100));
    try {
      idle.catalog(GUEST);
      assertTrue(letGo(idle));
      writeText("hook('one') { on('pre-start') { ev ->\n");
      HookCatalog broken = idle.catalog(GUEST);
      assertEquals(List.of("one"), names(broken), broken::toString);
      assertTrue(
          broken.notices().stream().anyMatch(n -> n.severity() == Severity.KEPT_PREVIOUS),
          broken::toString);

      assertTrue(letGo(idle)); // let go again, the file still broken: "one" is still what worked
      HookCatalog still = idle.catalog(GUEST);
      assertEquals(List.of("one"), names(still), still::toString);
      assertEquals(0, still.errors().size(), still::toString);
    } finally {
      idle.close();
    }
  }

  @Test
  void aGuestWithPhasesMoreOftenThanTheIdleTimeKeepsItsHooks() throws Exception {
    ResidentHooks busy = lettingGoAfter(Duration.ofSeconds(1));
    try {
      HookCatalog first = busy.catalog(GUEST);
      for (int phase = 0; phase < 40; phase++) {
        Thread.sleep(50);
        assertSame(first, busy.catalog(GUEST), "loaded again after phase " + phase);
        busy.dispatcher(GUEST, first);
      }
    } finally {
      busy.close();
    }
  }
}
