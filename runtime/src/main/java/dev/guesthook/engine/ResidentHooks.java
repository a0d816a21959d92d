package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.id.VmId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Hooks kept loaded across phases: each VM's catalog is loaded and put on the event bus once. For a
 * resident runtime they are loaded again when a file in their hook folders changed (name, size or
 * time), which a stat of the folders per phase tells; a changed file that no longer loads leaves
 * its previous version active. A replay loads them once for the whole file. A one-shot process has
 * none of this: it loads once and exits.
 */
final class ResidentHooks {
  private record Loaded(String fingerprint, HookCatalog catalog, Future<Dispatcher> dispatcher) {}

  private final Vertx vertx;
  private final HookLoader loader;
  private final List<Path> directories;
  private final Map<VmId, Loaded> loaded = new ConcurrentHashMap<>();
  private final Map<VmId, Object> monitors = new ConcurrentHashMap<>();

  /** How long a replaced dispatcher stays on the bus for phases still running on it. */
  private final Duration grace;

  /** Whether hook files are watched for changes (a resident runtime) or loaded once (a replay). */
  private final boolean watch;

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
        watch);
  }

  ResidentHooks(
      Vertx vertx, HookLoader loader, List<Path> directories, Duration grace, boolean watch) {
    this.vertx = vertx;
    this.loader = loader;
    this.directories = directories;
    this.grace = grace;
    this.watch = watch;
  }

  /**
   * The VM's hooks as they are now on disk; blocking (stats the folders, may compile). One VM at a
   * time, but different VMs in parallel: 200 guests starting at once must not queue behind each
   * other.
   */
  HookCatalog catalog(VmId vmid) {
    synchronized (monitor(vmid)) {
      return catalogOf(vmid);
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
    HookCatalog catalog = loader.load(Optional.of(vmid));
    if (current != null) {
      catalog = catalog.keepingWorkingVersionsOf(current.catalog());
    }
    loaded.put(vmid, new Loaded(fingerprint, catalog, null));
    if (current != null && current.dispatcher() != null) {
      // A phase of this VM may still be running on the old hooks: they leave the bus after it can
      // have ended.
      stopAfterGrace(current.dispatcher());
    }
    return catalog;
  }

  private void stopAfterGrace(Future<Dispatcher> dispatcher) {
    vertx.setTimer(Math.max(1, grace.toMillis()), id -> dispatcher.compose(Dispatcher::stop));
  }

  /**
   * The dispatcher for the catalog {@link #catalog} returned last for this VM, started on first
   * use.
   */
  Future<Dispatcher> dispatcher(VmId vmid, HookCatalog catalog) {
    synchronized (monitor(vmid)) {
      return dispatcherOf(vmid, catalog);
    }
  }

  private Future<Dispatcher> dispatcherOf(VmId vmid, HookCatalog catalog) {
    Loaded current = loaded.get(vmid);
    if (current == null || current.catalog() != catalog) {
      // A newer catalog arrived meanwhile: a one-off for this phase, off the bus when it can have
      // ended, as a replaced dispatcher.
      Future<Dispatcher> oneOff = Dispatcher.start(vertx, catalog.hooks());
      stopAfterGrace(oneOff);
      return oneOff;
    }
    if (current.dispatcher() == null) {
      current =
          new Loaded(current.fingerprint(), catalog, Dispatcher.start(vertx, catalog.hooks()));
      loaded.put(vmid, current);
    }
    return current.dispatcher();
  }

  /** Takes every VM's hooks off the bus. */
  synchronized void close() throws Exception {
    for (Loaded entry : loaded.values()) {
      if (entry.dispatcher() != null) {
        entry
            .dispatcher()
            .compose(Dispatcher::stop)
            .toCompletionStage()
            .toCompletableFuture()
            .get();
      }
    }
    loaded.clear();
  }

  private String fingerprint(VmId vmid) {
    if (!watch) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Path dir : directories) {
      for (Path place : List.of(dir, dir.resolve(vmid.toString()))) {
        if (!Files.isDirectory(place)) {
          continue;
        }
        try (Stream<Path> files = Files.list(place)) {
          // Not the per-VM folders (named by vmid): another VM's hooks are that VM's business, and
          // 200 of them would cost two stats each per phase.
          for (Path file :
              files.filter(f -> !f.getFileName().toString().matches("[0-9]+")).sorted().toList()) {
            out.append(file)
                .append(' ')
                .append(Files.size(file))
                .append(' ')
                .append(Files.getLastModifiedTime(file).toMillis())
                .append('\n');
          }
        } catch (IOException e) {
          out.append(place).append(" unreadable\n");
        }
      }
    }
    return out.toString();
  }
}
