package dev.guesthook.files;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The folders {@link SafeFiles} walked whole and found safe lately, each with the identity it had
 * (device, inode, owner, mode). Every folder on such a walk is owned by root or the runtime's user
 * and writable by nobody else, so nobody else can rename, replace or chmod any of them: a folder
 * used again soon needs one stat of itself, not one per component from {@code /} (a pre-start walks
 * two folders of 8-9 components each, 17 of its 30 stats). That stat still sees the folder swapped
 * for a link, or for another folder through a link higher up (another inode), or its mode or owner
 * changed. What it cannot see, a folder higher up whose mode root changed, a full walk sees again
 * after {@link #CHECK_AGAIN_AFTER}.
 */
final class CheckedFolders {
  /**
   * How long a walk is taken as still true: a burst of phases walks once, a phase minutes after the
   * last walks whole.
   */
  static final Duration CHECK_AGAIN_AFTER = Duration.ofSeconds(10);

  /** Guesthook writes in a handful of folders; a process that walks many starts afresh. */
  private static final int MAX_FOLDERS = 64;

  private static final List<String> IDENTITY = List.of("dev", "ino", "uid", "mode");

  private record Checked(List<Object> identity, long at) {}

  private final Map<Path, Checked> folders = new ConcurrentHashMap<>();

  /** Whether {@code folder} was walked lately and is, by one stat, still the folder it was. */
  boolean stillSafe(Path folder) throws IOException {
    Checked checked = folders.get(folder);
    if (checked == null) {
      return false;
    }
    if (System.nanoTime() - checked.at() > CHECK_AGAIN_AFTER.toNanos()) {
      folders.remove(folder);
      return false;
    }
    try {
      if (identity(SafeFiles.attributes(folder)).equals(checked.identity())) {
        return true;
      }
    } catch (NoSuchFileException gone) {
      // removed since: the walk makes it again where it may
    }
    folders.remove(folder);
    return false;
  }

  /** {@code folder} was walked whole and found safe; {@code attributes}: its own. */
  void walked(Path folder, Map<String, Object> attributes) {
    if (folders.size() >= MAX_FOLDERS) {
      folders.clear();
    }
    folders.put(folder, new Checked(identity(attributes), System.nanoTime()));
  }

  private static List<Object> identity(Map<String, Object> attributes) {
    return IDENTITY.stream().map(attributes::get).toList();
  }
}
