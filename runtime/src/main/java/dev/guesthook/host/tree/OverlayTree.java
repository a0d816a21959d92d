package dev.guesthook.host.tree;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A copy-on-write view of a host tree: reads fall through to the lower host until a path is
 * written, linked, made or removed here. The lower host is never changed, so a dry run over a real
 * node's tree (or over a sandbox) is harmless.
 *
 * <p>Entries are kept under canonical paths (every link in the directories followed), because sysfs
 * reaches one device directory by several routes: {@code /sys/bus/pci/devices/X} is a link to
 * {@code /sys/devices/pci0000:00/X}, and a change made through one must be seen through the other.
 */
public final class OverlayTree implements MutableTree {
  private static final int MAX_LINK_HOPS = 40;

  private sealed interface Entry permits FileEntry, LinkEntry, DirEntry, Removed {}

  private record FileEntry(String content) implements Entry {}

  private record LinkEntry(HostPath target) implements Entry {}

  /**
   * A directory made here; {@code opaque} when it replaced a removed one, so nothing below shows
   * through.
   */
  private record DirEntry(boolean opaque) implements Entry {}

  private record Removed() implements Entry {}

  private final HostFiles lower;
  private final Map<HostPath, Entry> entries = new HashMap<>();

  public OverlayTree(HostFiles lower) {
    this.lower = lower;
  }

  @Override
  public synchronized String read(HostPath path) {
    HostPath p = canonicalParent(path);
    Entry entry = entries.get(p);
    if (entry == null) {
      if (hiddenBelow(p)) {
        throw noSuchFile(path);
      }
      return lower.read(p);
    }
    if (entry instanceof FileEntry file) {
      return file.content();
    }
    if (entry instanceof LinkEntry link) {
      return read(link.target());
    }
    if (entry instanceof DirEntry) {
      throw new HostException("EISDIR", path + ": is a directory");
    }
    throw noSuchFile(path);
  }

  /** A file made in the overlay holds text; its bytes are that text's. */
  @Override
  public synchronized byte[] readBytes(HostPath path, int max) {
    HostPath p = canonicalParent(path);
    Entry entry = entries.get(p);
    if (entry == null && !hiddenBelow(p)) {
      return lower.readBytes(p, max);
    }
    byte[] bytes = read(path).getBytes(StandardCharsets.UTF_8);
    return bytes.length > max ? Arrays.copyOf(bytes, max) : bytes;
  }

  @Override
  public synchronized void write(HostPath path, String value) {
    HostPath p = canonicalParent(path);
    if (entries.get(p) instanceof LinkEntry link) {
      write(link.target(), value);
      return;
    }
    if (isDirectory(p)) {
      throw new HostException("EISDIR", path + ": is a directory");
    }
    if (!isDirectory(p.parent())) {
      throw noSuchFile(path);
    }
    entries.put(p, new FileEntry(value));
  }

  @Override
  public synchronized boolean exists(HostPath path) {
    HostPath p = canonicalParent(path);
    Entry entry = entries.get(p);
    if (entry != null) {
      return !(entry instanceof Removed);
    }
    return !hiddenBelow(p) && lower.exists(p);
  }

  @Override
  public synchronized List<String> list(HostPath directory) {
    HostPath d = canonical(directory);
    if (!isDirectory(d)) {
      throw exists(d)
          ? new HostException("ENOTDIR", directory + ": not a directory")
          : noSuchFile(directory);
    }
    TreeSet<String> names = new TreeSet<>();
    if (!(entries.get(d) instanceof DirEntry dir && dir.opaque()) && !hiddenBelow(d)) {
      try {
        names.addAll(lower.list(d));
      } catch (HostException absentBelow) {
        // Made only in the overlay.
      }
    }
    entries.forEach(
        (path, entry) -> {
          if (!path.segments().isEmpty() && path.parent().equals(d)) {
            if (entry instanceof Removed) {
              names.remove(path.name());
            } else {
              names.add(path.name());
            }
          }
        });
    return List.copyOf(names);
  }

  @Override
  public synchronized Optional<HostPath> readLink(HostPath path) {
    return linkAt(canonicalParent(path));
  }

  @Override
  public synchronized long usableBytes(HostPath path) {
    HostPath p = canonical(path);
    if (!exists(p)) {
      throw noSuchFile(path);
    }
    for (HostPath up = p; ; up = up.parent()) {
      if (up.segments().isEmpty() || (lower.exists(up) && !hiddenBelow(up))) {
        return lower.usableBytes(up);
      }
    }
  }

  @Override
  public synchronized void createDirectories(HostPath directory) {
    HostPath made = HostPath.ROOT;
    for (String segment : directory.segments()) {
      made = canonical(made.resolve(segment));
      if (!isDirectory(made)) {
        if (exists(made)) {
          // As mkdir -p: a file in the way of the folder itself is EEXIST, one above it ENOTDIR.
          throw made.equals(canonical(directory))
              ? new HostException("EEXIST", made + ": File exists")
              : new HostException("ENOTDIR", made + ": not a directory");
        }
        makeDirectory(made);
      }
    }
  }

  @Override
  public synchronized void delete(HostPath path) {
    HostPath p = canonicalParent(path);
    if (isDirectory(p) && !list(p).isEmpty()) {
      throw new HostException("ENOTEMPTY", path + ": directory not empty");
    }
    entries.put(p, new Removed());
  }

  @Override
  public synchronized void makeDirectory(HostPath path) {
    HostPath p = canonicalParent(path);
    Entry before = entries.get(p);
    boolean replacesRemoved = before instanceof Removed || (before == null && hiddenBelow(p));
    entries.put(p, new DirEntry(replacesRemoved));
  }

  @Override
  public synchronized void link(HostPath path, HostPath target) {
    entries.put(canonicalParent(path), new LinkEntry(target));
  }

  @Override
  public synchronized void removeTree(HostPath path) {
    HostPath p = canonicalParent(path);
    entries.keySet().removeIf(key -> key.startsWith(p));
    entries.put(p, new Removed());
  }

  /** Paths written, linked, made or removed here, for tests and diagnostics. */
  public synchronized Map<HostPath, String> changes() {
    Map<HostPath, String> out = new HashMap<>();
    entries.forEach((path, entry) -> out.put(path, entry.toString()));
    return out;
  }

  /** The path with every link followed, the last segment included. */
  private HostPath canonical(HostPath path) {
    HostPath done = HostPath.ROOT;
    for (String segment : path.segments()) {
      HostPath next = done.resolve(segment);
      Optional<HostPath> target = selfLinkIgnored(next, linkAt(next));
      for (int hops = 0; target.isPresent(); hops++) {
        if (hops >= MAX_LINK_HOPS) {
          throw new HostException("ELOOP", path + ": too many levels of symbolic links");
        }
        next =
            target.get().segments().isEmpty()
                ? HostPath.ROOT
                : canonical(target.get().parent()).resolve(target.get().name());
        target = selfLinkIgnored(next, linkAt(next));
      }
      done = next;
    }
    return done;
  }

  /**
   * A link the host below reports as leading to its own path is a mount seen from inside: on a
   * simulated cluster node, /etc/pve's entries are links into the shared tree, which the node reads
   * as /etc/pve itself (FileTree's readLink). It is where it leads; following it again would loop.
   */
  private static Optional<HostPath> selfLinkIgnored(HostPath at, Optional<HostPath> target) {
    return target.filter(to -> !to.equals(at));
  }

  /**
   * The path with the links in its directories followed; the last segment itself is not followed.
   */
  private HostPath canonicalParent(HostPath path) {
    return path.segments().isEmpty() ? path : canonical(path.parent()).resolve(path.name());
  }

  private Optional<HostPath> linkAt(HostPath canonicalPath) {
    Entry entry = entries.get(canonicalPath);
    if (entry != null) {
      return entry instanceof LinkEntry link ? Optional.of(link.target()) : Optional.empty();
    }
    return hiddenBelow(canonicalPath) ? Optional.empty() : lower.readLink(canonicalPath);
  }

  private boolean isDirectory(HostPath p) {
    Entry entry = entries.get(p);
    if (entry != null) {
      return entry instanceof DirEntry;
    }
    if (p.segments().isEmpty()) {
      return true;
    }
    if (hiddenBelow(p) || !lower.exists(p) || lower.readLink(p).isPresent()) {
      return false;
    }
    try {
      lower.list(p);
      return true;
    } catch (HostException notDirectory) {
      return false;
    }
  }

  /** Whether a directory above was removed or remade here, so the lower tree no longer shows. */
  private boolean hiddenBelow(HostPath p) {
    for (HostPath up = p.parent(); !up.segments().isEmpty(); up = up.parent()) {
      Entry entry = entries.get(up);
      if (entry instanceof Removed || (entry instanceof DirEntry dir && dir.opaque())) {
        return true;
      }
    }
    return false;
  }

  private static HostException noSuchFile(HostPath path) {
    return new HostException("ENOENT", path + ": No such file or directory");
  }
}
