package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.id.VmId;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Hooks kept loaded across phases: each VM's catalog and its dispatcher are made once. For a
 * resident runtime they are loaded again when a file in their hook folders changed (name, size or
 * time), which a stat of the folders per phase tells; a changed file that no longer loads leaves
 * its previous version active. A resident runtime lets a guest's hooks go when it had no phase for
 * {@link #IDLE}, and loads them again at its next phase. Replaced or let-go hooks are simply
 * dropped: a phase still running on them holds its own dispatcher. A replay loads them once for the
 * whole file. A one-shot process has none of this: it loads once and exits.
 */
final class ResidentHooks {
  /**
   * How long a guest's hooks stay loaded after its last phase. A guest's phases come in clusters
   * (pre-start, post-start seconds later, then often days until pre-stop or a backup), and a guest
   * with a hook text of its own holds 150-200 KB of heap while loaded (its classes' Groovy meta
   * classes: serve-heap.sh, 200 guests: 47 MB live heap against 31 MB with 100); loading them again
   * costs its next phase a few ms (serve-reload.sh). The system property {@code
   * guesthook.idle-hooks-seconds} sets it otherwise (for the benchmarks).
   */
  static final Duration IDLE =
      Duration.ofSeconds(Long.getLong("guesthook.idle-hooks-seconds", 600));

  private record Loaded(String fingerprint, HookCatalog catalog, Dispatcher dispatcher) {}

  /**
   * Compiled once: with 200 guests' folders, compiling it per name per phase was a quarter of
   * serve's CPU per phase (JFR).
   */
  private static final Pattern VM_FOLDER = Pattern.compile("[0-9]+");

  private final Vertx vertx;
  private final HookLoader loader;
  private final List<Path> directories;
  private static final String IDENTITY = "unix:dev,ino,size,lastModifiedTime,ctime";

  private final Map<VmId, Loaded> loaded = new ConcurrentHashMap<>();
  private final FolderListings listings = new FolderListings(FolderListings.SETTLED);
  private final Map<VmId, Object> monitors = new ConcurrentHashMap<>();

  /** When each guest with hooks loaded last had a phase ({@link System#nanoTime}). */
  private final Map<VmId, Long> lastUsed = new ConcurrentHashMap<>();

  /** Of each guest whose hooks were let go: the texts its Groovy files that worked had. */
  private final Map<VmId, Map<String, String>> letGo = new ConcurrentHashMap<>();

  /**
   * At most as many guests load their hooks at once as there are cores: 168 guests loading theirs
   * at once on 2 cores starved the socket's acceptor past the client's 1 s connect timeout (a burst
   * of 200 first phases, 2 of 4 runs on a loaded machine).
   */
  private final Semaphore loads = new Semaphore(Runtime.getRuntime().availableProcessors());

  /**
   * How long a guest waits for its turn to load at most, then loads all the same: the turns pace a
   * burst of ordinary loads (milliseconds each; 200 take a few seconds on 2 cores), and must not
   * let hook files whose top-level code is slow hold every other guest's phase (two such files on 2
   * cores held an edited guest's phase 58 s).
   */
  static final Duration LOAD_TURN_WAIT = Duration.ofSeconds(5);

  /**
   * How long a phase may run ({@link Engine#phaseBound}): a guest is let go only after at least
   * this long without a phase, so that none still runs on its hooks.
   */
  private final Duration longestPhase;

  /** Whether hook files are watched for changes (a resident runtime) or loaded once (a replay). */
  private final boolean watch;

  /** After how long without a phase a guest's hooks are let go; a replay keeps them. */
  private final Duration idle;

  private final long sweeper;

  /**
   * How often the compiled-hook cache's entries of the hooks held here are marked as used: a day,
   * as a load marks them (the cache prunes entries no one used for 30 days).
   */
  static final Duration KEEP_CACHED_EVERY = Duration.ofDays(1);

  /** When they were marked last ({@link System#nanoTime}); only the sweeps read and write it. */
  private volatile long keptCachedAt = System.nanoTime();

  /** For a resident runtime: reloaded when a file in the hook folders changed. */
  static ResidentHooks watched(Vertx vertx, Settings settings) {
    return of(vertx, settings, true);
  }

  /** For a replay: loaded once for the whole file. */
  static ResidentHooks loadedOnce(Vertx vertx, Settings settings) {
    return of(vertx, settings, false);
  }

  private static ResidentHooks of(Vertx vertx, Settings settings, boolean watch) {
    return new ResidentHooks(
        vertx,
        Engine.hookLoader(settings),
        settings.hookDirs(),
        Engine.phaseBound(settings),
        watch,
        IDLE);
  }

  ResidentHooks(
      Vertx vertx,
      HookLoader loader,
      List<Path> directories,
      Duration longestPhase,
      boolean watch,
      Duration idle) {
    this.vertx = vertx;
    this.loader = loader;
    this.directories = directories;
    this.longestPhase = longestPhase;
    this.watch = watch;
    this.idle = idle;
    this.sweeper = watch ? sweepEvery(Math.max(1, idle.toMillis() / 4)) : -1;
  }

  private long sweepEvery(long millis) {
    return vertx.setPeriodic(
        millis,
        id ->
            vertx.executeBlocking(
                () -> {
                  letIdleGuestsGo();
                  keepLoadedCachedWhenDue();
                  return null;
                },
                false));
  }

  /**
   * The VM's hooks as they are now on disk; blocking (stats the folders, may compile). One VM at a
   * time, but different VMs in parallel: 200 guests starting at once must not queue behind each
   * other.
   */
  HookCatalog catalog(VmId vmid) {
    synchronized (monitor(vmid)) {
      HookCatalog catalog = catalogOf(vmid);
      lastUsed.put(vmid, System.nanoTime()); // after a load, which may have taken a while
      return catalog;
    }
  }

  private Object monitor(VmId vmid) {
    return monitors.computeIfAbsent(vmid, id -> new Object());
  }

  private HookCatalog catalogOf(VmId vmid) {
    String fingerprint = fingerprint(vmid);
    Loaded current = loaded.get(vmid);
    if (current != null && current.fingerprint().equals(fingerprint)) {
      return current.catalog();
    }
    HookCatalog catalog = loadedNow(vmid);
    if (current != null) {
      catalog = catalog.keepingWorkingVersionsOf(current.catalog());
    } else if (letGo.containsKey(vmid)) {
      catalog = catalog.keepingWorkingVersionsOf(workingBefore(letGo.get(vmid), catalog));
    }
    loaded.put(vmid, new Loaded(fingerprint, catalog, Dispatcher.of(catalog.hooks())));
    letGo.remove(vmid);
    return catalog;
  }

  private HookCatalog loadedNow(VmId vmid) {
    boolean turn = waitForATurn();
    try {
      return loader.load(Optional.of(vmid));
    } finally {
      if (turn) {
        loads.release();
      }
    }
  }

  private boolean waitForATurn() {
    try {
      return loads.tryAcquire(LOAD_TURN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The versions that worked before of the files that do not load now, from their texts. */
  private HookCatalog workingBefore(Map<String, String> texts, HookCatalog now) {
    Map<String, String> needed = new HashMap<>(texts);
    needed.keySet().retainAll(now.filesThatFailed());
    return loader.loadTexts(needed);
  }

  /**
   * Lets go of the hooks of the guests without a phase for {@link #idle}, and at least {@link
   * #longestPhase}: none runs on them any more. With their hooks their classes' meta classes go.
   * Then full collections give the memory back to the node: an idle serve allocates next to
   * nothing, so the collector would otherwise keep it until the old generation fills. Blocking (the
   * collections); returns how many guests' hooks it let go.
   */
  int letIdleGuestsGo() {
    long usedBefore = System.nanoTime() - Math.max(idle.toNanos(), longestPhase.toNanos());
    int gone = 0;
    for (VmId vmid : List.copyOf(loaded.keySet())) {
      if (letGoIfIdle(vmid, usedBefore)) {
        gone++;
      }
    }
    if (gone > 0) {
      collectAndShrink();
    }
    return gone;
  }

  /**
   * Five full collections: what let-go hooks held becomes garbage in stages, as the weak and soft
   * references to it are cleared (200 guests let go: 53 to 49, then 14 MB of live heap), then the
   * Serial collector gives back 0, 10, 40, and 100% of the free heap at successive full collections
   * (75 to 71, 56, 34 MB committed), of which an idle serve runs none of its own. 30-110 ms each,
   * once per sweep that let guests go.
   */
  private static void collectAndShrink() {
    for (int collection = 0; collection < 5; collection++) {
      System.gc();
    }
  }

  private void keepLoadedCachedWhenDue() {
    long now = System.nanoTime();
    if (now - keptCachedAt >= KEEP_CACHED_EVERY.toNanos()) {
      keptCachedAt = now;
      keepLoadedCached();
    }
  }

  /**
   * Marks the compiled-hook cache's entries of every loaded guest's hooks as used today. They run
   * from memory here, where no load marks them: on a node whose guests start and stop all day the
   * stock hooks' classes stay loaded for months, and their entries were pruned as unused, to be
   * compiled again at the next start of serve or by a one-shot phase.
   */
  void keepLoadedCached() {
    loader.keepCached(loaded.values().stream().map(held -> held.catalog().workingTexts()).toList());
  }

  /** Lets go of the guest's hooks if it had no phase since then; whether it did. */
  private boolean letGoIfIdle(VmId vmid, long usedBefore) {
    synchronized (monitor(vmid)) {
      Long used = lastUsed.get(vmid);
      if (used == null || used - usedBefore > 0) {
        return false;
      }
      Loaded gone = loaded.remove(vmid);
      lastUsed.remove(vmid);
      if (gone == null) {
        return false;
      }
      letGo.put(vmid, gone.catalog().workingTexts());
      listings.forget(folder -> folder.endsWith(vmid.toString()));
      return true;
    }
  }

  /** How many guests' hooks are loaded now. */
  int loadedGuests() {
    return loaded.size();
  }

  /**
   * The dispatcher of the catalog {@link #catalog} returned last for this VM; of an older one, one
   * made for this phase alone.
   */
  Dispatcher dispatcher(VmId vmid, HookCatalog catalog) {
    synchronized (monitor(vmid)) {
      lastUsed.put(vmid, System.nanoTime());
      return dispatcherOf(vmid, catalog);
    }
  }

  private Dispatcher dispatcherOf(VmId vmid, HookCatalog catalog) {
    Loaded current = loaded.get(vmid);
    if (current == null || current.catalog() != catalog) {
      return Dispatcher.of(catalog.hooks()); // a newer catalog arrived meanwhile: a one-off
    }
    return current.dispatcher();
  }

  /** Stops the sweeps and lets every VM's hooks go, with what was kept of each guest. */
  void close() {
    vertx.cancelTimer(sweeper);
    loaded.clear();
    letGo.clear();
    lastUsed.clear();
  }

  private String fingerprint(VmId vmid) {
    if (!watch) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Path dir : directories) {
      for (Path place : List.of(dir, dir.resolve(vmid.toString()))) {
        // The listing is NIO's: a name java.io cannot decode (LC_ALL=C, Proxmox's locale, and a
        // non-ASCII name) becomes a path NIO refuses, and a name that is not UTF-8 one that is
        // never found again. Not the per-VM folders (named by vmid): another VM's hooks are that
        // VM's business, and 200 of them would cost two stats each per phase.
        try {
          for (Path file : listings.files(place, ResidentHooks::notAVmFolder).orElse(List.of())) {
            // one file that cannot be looked at (a dangling link) leaves the others watched
            out.append(file).append(' ').append(identityOrUnreadable(file)).append('\n');
          }
        } catch (IOException e) {
          out.append(place).append(" unreadable\n");
        }
      }
    }
    return out.toString();
  }

  private static boolean notAVmFolder(Path file) {
    return !VM_FOLDER.matcher(file.getFileName().toString()).matches();
  }

  private static String identityOrUnreadable(Path file) {
    try {
      return identity(file);
    } catch (IOException e) {
      return "unreadable";
    }
  }

  /**
   * What changes whenever a file's text may have: its inode (a file replaced by a rename), size and
   * times, the change time included, which no tool sets back (an edit that kept the size and the
   * modification time, as {@code cp -p} does, went unseen). One stat.
   */
  private static String identity(Path file) throws IOException {
    Map<String, Object> stat = Files.readAttributes(file, IDENTITY);
    return stat.get("dev")
        + ":"
        + stat.get("ino")
        + " "
        + stat.get("size")
        + " "
        + ((FileTime) stat.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS)
        + " "
        + ((FileTime) stat.get("ctime")).to(TimeUnit.NANOSECONDS);
  }
}
