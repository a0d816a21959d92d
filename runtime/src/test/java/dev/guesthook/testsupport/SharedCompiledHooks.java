package dev.guesthook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Compiled hooks shared by every simulated host of a test run. Nearly every test makes a sandbox of
 * its own, and its first phase compiled the stock hooks into that sandbox's cache again: about 4 s
 * of CPU in a fresh JVM (measured: a one-shot post-stop took 5.4 s cold against 1.5 s warm), most
 * of the suites' time. A cache entry is named by the hash of the hook file's name and content and
 * the Groovy and DSL versions, so an entry made for one sandbox is exactly what another would
 * compile. Before a run on a simulated host ({@code --root R --simulate}) the entries R's cache
 * lacks are copied in; after it, the entries it made are kept for the next. Copies, never links: a
 * test may damage a sandbox's entry on purpose.
 */
public final class SharedCompiledHooks {
  private static final Path STORE = Path.of("target", "shared-compiled-hooks").toAbsolutePath();

  private SharedCompiledHooks() {}

  /** Gives the run's simulated host the entries it lacks; nothing for other runs. */
  public static void seed(List<String> args) {
    cacheOf(args).ifPresent(cache -> copyMissing(STORE, cache));
  }

  /** Keeps the entries the run's simulated host made. */
  public static void harvest(List<String> args) {
    cacheOf(args).filter(Files::isDirectory).ifPresent(cache -> copyMissing(cache, STORE));
  }

  /** The compiled-hook folder of a run on an existing simulated host, as guesthook places it. */
  private static Optional<Path> cacheOf(List<String> args) {
    if (!args.contains("--simulate")) {
      return Optional.empty();
    }
    int at = args.indexOf("--root");
    if (at < 0 || at + 1 >= args.size()) {
      return Optional.empty();
    }
    Path root = Path.of(args.get(at + 1));
    Path cache = root.resolve(HostTree.HOOK_CACHE).resolve("hooks");
    return Files.isDirectory(root.resolve(".simulator")) && noLinkBelow(root, cache)
        ? Optional.of(cache)
        : Optional.empty();
  }

  /**
   * Whether no folder from {@code root} down to {@code path} is a link: a test may plant one there
   * to see that guesthook writes nothing through it, and this must not write through it either.
   */
  private static boolean noLinkBelow(Path root, Path path) {
    for (Path at = path;
        at != null && at.startsWith(root) && !at.equals(root);
        at = at.getParent()) {
      if (Files.isSymbolicLink(at)) {
        return false;
      }
    }
    return true;
  }

  private static void copyMissing(Path from, Path to) {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : entries.filter(e -> e.toString().endsWith(".jar")).toList()) {
        Path target = to.resolve(entry.getFileName());
        if (Files.notExists(target)) {
          copyWhole(entry, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Through a temporary name, so a reader never sees half an entry. */
  private static void copyWhole(Path entry, Path target) throws IOException {
    // As guesthook makes its cache: folders 0700, entries 0600 (createTempFile's).
    Files.createDirectories(
        target.getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path partial = Files.createTempFile(target.getParent(), ".shared-", ".part");
    try {
      Files.copy(entry, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
