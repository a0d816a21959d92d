package dev.guesthook.core.hookhost;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps the compiled-hook cache from growing without end. Every changed hook text leaves an entry
 * no load asks for again (an author editing on a test node, configuration management rewriting a
 * templated hook, an upgrade's new DSL version changing every key), about 4-70 KB each. An entry's
 * modification time says when a load last used it (refreshed at most once a day, so a phase rarely
 * pays a write for it; serve, which runs the hooks it holds from memory, marks their entries once a
 * day); after a compile, entries unused for {@link #UNUSED} go, and past {@link #MAX_ENTRIES} the
 * least recently used go first, never the entry just written. A time more than a day ahead (written
 * while the clock was wrong) counts as unused: it would never age. Only names the cache itself
 * writes are removed: an entry ({@code <sha-256>.jar}) or a writer's temp file left over a day.
 * Another process reading an entry as it goes keeps its open file; its next load compiles the hook
 * again.
 */
final class CacheUpkeep {
  /** A hook not loaded for this long is not on this node any more, or has changed. */
  static final Duration UNUSED = Duration.ofDays(30);

  /** At most this many entries (200 guests each with texts of their own need a few hundred). */
  static final int MAX_ENTRIES = 4096;

  /** How stale a used entry's time may be before a load writes it again. */
  static final Duration REFRESH = Duration.ofDays(1);

  /** A temp file this old belongs to a writer that died before its rename. */
  static final Duration LEFT_OVER = Duration.ofDays(1);

  private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{64}\\.jar");
  private static final Pattern TEMP = Pattern.compile("[0-9a-f]{64}[0-9]*\\.tmp");

  private CacheUpkeep() {}

  /** A load served {@code entry}: its time moves to now, when it is a day old or more. */
  static void used(Path entry, BasicFileAttributes attributes, Instant now) {
    if (attributes.lastModifiedTime().toInstant().isAfter(now.minus(REFRESH))) {
      return;
    }
    try {
      Files.getFileAttributeView(entry, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(FileTime.from(now), null, null);
    } catch (IOException | UnsupportedOperationException notRefreshed) {
      // The entry still serves; at worst it is pruned early and compiled again when next loaded.
    }
  }

  /**
   * Removes what the cache holds beyond its bounds, {@code written} aside; returns how many files
   * went. Failures to list or remove leave the cache as it was: pruning never fails a phase.
   */
  static int prune(Path directory, Path written, Instant now) {
    List<Entry> entries = new ArrayList<>();
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        boolean entry = ENTRY.matcher(name).matches();
        if (file.equals(written) || !entry && !TEMP.matcher(name).matches()) {
          continue;
        }
        BasicFileAttributes attributes =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
          continue;
        }
        Instant lastUsed = attributes.lastModifiedTime().toInstant();
        boolean inUse = lastUsed.isAfter(now.minus(UNUSED)) && !lastUsed.isAfter(now.plus(REFRESH));
        if (entry && inUse) {
          entries.add(new Entry(file, lastUsed));
        } else if (entry || lastUsed.isBefore(now.minus(LEFT_OVER))) {
          removed += remove(file);
        }
      }
    } catch (IOException | RuntimeException unlisted) {
      return removed;
    }
    entries.sort(Comparator.comparing(Entry::lastUsed));
    for (int i = 0; i < entries.size() + 1 - MAX_ENTRIES; i++) { // + 1: the one just written
      removed += remove(entries.get(i).file());
    }
    return removed;
  }

  private static int remove(Path file) {
    try {
      return Files.deleteIfExists(file) ? 1 : 0;
    } catch (IOException gone) {
      return 0;
    }
  }

  private record Entry(Path file, Instant lastUsed) {}
}
