package dev.guesthook.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The folders {@link SafeFiles#open} opens files in, each held open once walked whole from {@code
 * /} and found safe: a file is then opened relative to the folder itself (openat), not through a
 * path whose folders higher up could be swapped between a check and the open. A pre-start opens two
 * files so (the guest's lock, its recording), where each walk took 8-9 stats. Before each use, one
 * stat of the folder's path tells that it still leads to the folder held (other processes reach it
 * by that path: the guest's lock must be the same file for all), and that the folder's owner and
 * mode still pass; otherwise the folder is walked and opened again. A folder is let go {@link
 * #CHECK_AGAIN_AFTER} after it was held, used or not, and walked again at its next use: a folder
 * higher up that root has since made writable by others is refused within that time, as every walk
 * refuses it, and an idle process holds no folder (a held one keeps its mount busy).
 */
final class HeldFolders {
  static final Duration CHECK_AGAIN_AFTER = Duration.ofSeconds(10);

  /** Guesthook opens files in a handful of folders; a process that uses many starts afresh. */
  private static final int MAX_FOLDERS = 64;

  private record Held(SecureDirectoryStream<Path> folder, Object key) {}

  private final Map<Path, Held> folders = new ConcurrentHashMap<>();

  /** Lets each folder go once it has been held for {@link #CHECK_AGAIN_AFTER}, used or not. */
  private static final ScheduledExecutorService LETTING_GO =
      Executors.newSingleThreadScheduledExecutor(
          work -> {
            Thread thread = new Thread(work, "guesthook-held-folders");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * The folder held for {@code path}, when it was walked lately (it is let go after {@link
   * #CHECK_AGAIN_AFTER}) and the path still leads to it; empty otherwise (then walk it and {@link
   * #hold} it).
   */
  Optional<SecureDirectoryStream<Path>> stillAt(Path path) throws IOException {
    Held held = folders.get(path);
    if (held == null) {
      return Optional.empty();
    }
    if (stillLeadsTo(path, held.key())) {
      return Optional.of(held.folder());
    }
    letGo(path, held);
    return Optional.empty();
  }

  private static boolean stillLeadsTo(Path path, Object key) throws IOException {
    try {
      // the last component not followed: the folder swapped for a link, even to itself, is walked
      // again, and refused there, as any walk refuses it
      Map<String, Object> now =
          Files.readAttributes(path, "unix:fileKey,mode,uid", LinkOption.NOFOLLOW_LINKS);
      return key.equals(now.get("fileKey")) && SafeFiles.trustedFolder(path, now);
    } catch (NoSuchFileException gone) {
      return false;
    }
  }

  /**
   * Opens and holds {@code path}, a folder just walked whole and found safe; empty when the file
   * system offers no folder to open files relative to, or the path no longer leads to the folder
   * walked.
   */
  Optional<SecureDirectoryStream<Path>> hold(Path path) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(path);
    if (!(stream instanceof SecureDirectoryStream<Path> folder)) {
      stream.close();
      return Optional.empty();
    }
    Object key;
    try {
      key = folder.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
      if (!key.equals(keyAt(path))) {
        folder.close(); // swapped since the walk: its next use walks again
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      // gone since the walk: a stream dropped unclosed keeps its descriptors for good (adversary
      // pass: a folder removed in a loop ran the process out of descriptors in 4 s)
      closeQuietly(folder);
      throw e;
    }
    if (folders.size() >= MAX_FOLDERS) {
      List.copyOf(folders.keySet()).forEach(held -> letGo(held, folders.get(held)));
    }
    Held held = new Held(folder, key);
    Held before = folders.put(path, held);
    if (before != null) {
      closeQuietly(before.folder());
    }
    // The one bound on how long a folder is held: a use past it walks again, and an idle folder
    // is not kept (a held one keeps its mount busy, and a removed folder alive).
    LETTING_GO.schedule(
        () -> letGo(path, held), CHECK_AGAIN_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    return Optional.of(folder);
  }

  /** Where the path leads, its last component not followed: a link there is not the folder. */
  private static Object keyAt(Path path) throws IOException {
    return Files.readAttributes(path, "unix:fileKey", LinkOption.NOFOLLOW_LINKS).get("fileKey");
  }

  /**
   * Closes the folder a thread may still be opening a file in: that open fails with {@code
   * ClosedDirectoryStreamException}, and {@link SafeFiles#open} walks and opens by path then.
   */
  private void letGo(Path path, Held held) {
    if (held != null && folders.remove(path, held)) {
      closeQuietly(held.folder());
    }
  }

  private static void closeQuietly(SecureDirectoryStream<Path> folder) {
    try {
      folder.close();
    } catch (IOException e) {
      // a descriptor that cannot be closed is gone all the same
    }
  }
}
