package dev.guesthook.host.sim;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A copy-on-write view of a host tree: reads fall through to the lower host until a path is written,
 * linked, made or removed here. The lower host is never changed, so a simulation or a dry run over a
 * real node's tree is harmless.
 */
public final class OverlayTree implements HostFiles {
  private sealed interface Entry permits FileEntry, LinkEntry, DirEntry, Removed {}

  private record FileEntry(String content) implements Entry {}

  private record LinkEntry(HostPath target) implements Entry {}

  private record DirEntry() implements Entry {}

  private record Removed() implements Entry {}

  private final HostFiles lower;
  private final Map<HostPath, Entry> entries = new HashMap<>();

  public OverlayTree(HostFiles lower) {
    this.lower = lower;
  }

  public synchronized String read(HostPath path) {
    Entry entry = entries.get(path);
    if (entry == null) {
      return lower.read(path);
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

  public synchronized void write(HostPath path, String value) {
    if (isDirectory(path)) {
      throw new HostException("EISDIR", path + ": is a directory");
    }
    if (!isDirectory(path.parent())) {
      throw noSuchFile(path);
    }
    entries.put(path, new FileEntry(value));
  }

  public synchronized boolean exists(HostPath path) {
    Entry entry = entries.get(path);
    if (entry != null) {
      return !(entry instanceof Removed);
    }
    return !isRemovedAbove(path) && lower.exists(path);
  }

  public synchronized List<String> list(HostPath directory) {
    if (!isDirectory(directory)) {
      throw exists(directory)
          ? new HostException("ENOTDIR", directory + ": not a directory")
          : noSuchFile(directory);
    }
    TreeSet<String> names = new TreeSet<>();
    if (!(entries.get(directory) instanceof DirEntry) || lower.exists(directory)) {
      try {
        names.addAll(lower.list(directory));
      } catch (HostException absentBelow) {
        // Made only in the overlay.
      }
    }
    entries.forEach(
        (path, entry) -> {
          if (path.parent().equals(directory) && !path.equals(directory)) {
            if (entry instanceof Removed) {
              names.remove(path.name());
            } else {
              names.add(path.name());
            }
          }
        });
    return List.copyOf(names);
  }

  public synchronized Optional<HostPath> readLink(HostPath path) {
    Entry entry = entries.get(path);
    if (entry == null) {
      return isRemovedAbove(path) ? Optional.empty() : lower.readLink(path);
    }
    return entry instanceof LinkEntry link ? Optional.of(link.target()) : Optional.empty();
  }

  public synchronized void makeDirectory(HostPath path) {
    entries.put(path, new DirEntry());
  }

  public synchronized void link(HostPath path, HostPath target) {
    entries.put(path, new LinkEntry(target));
  }

  public synchronized void remove(HostPath path) {
    entries.put(path, new Removed());
  }

  /** Paths written, linked, made or removed here, for tests and diagnostics. */
  public synchronized Map<HostPath, String> changes() {
    Map<HostPath, String> out = new HashMap<>();
    entries.forEach((path, entry) -> out.put(path, entry.toString()));
    return out;
  }

  private boolean isDirectory(HostPath path) {
    Entry entry = entries.get(path);
    if (entry != null) {
      return entry instanceof DirEntry;
    }
    if (path.segments().isEmpty()) {
      return true;
    }
    if (isRemovedAbove(path) || !lower.exists(path)) {
      return false;
    }
    try {
      lower.list(path);
      return true;
    } catch (HostException notDirectory) {
      return false;
    }
  }

  private boolean isRemovedAbove(HostPath path) {
    for (HostPath p = path.parent(); !p.segments().isEmpty(); p = p.parent()) {
      if (entries.get(p) instanceof Removed) {
        return true;
      }
    }
    return false;
  }

  private static HostException noSuchFile(HostPath path) {
    return new HostException("ENOENT", path + ": No such file or directory");
  }
}
