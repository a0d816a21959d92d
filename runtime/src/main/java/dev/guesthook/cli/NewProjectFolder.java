package dev.guesthook.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A new project folder, written without following a link: the folder must be new or empty and not a
 * link itself, every folder and file in it is created (never opened if it exists, so nothing
 * planted is followed), files 0644 and folders 0755 whatever the umask. If a write fails, what was
 * created is removed again.
 */
final class NewProjectFolder {
  private static final Set<PosixFilePermission> FOLDER_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-r--r--");

  private final Path dir;
  private final List<Path> created = new ArrayList<>();

  NewProjectFolder(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path dir() {
    return dir;
  }

  /** Why the project cannot be written there, with the fix; empty when it can. */
  Optional<String> refusal() {
    if (Files.isSymbolicLink(dir)) {
      return Optional.of(
          dir
              + " is a symbolic link, which new-hook does not follow; fix: name the real folder"
              + " with --dir, or a new one");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Files.isDirectory(dir.getParent())
          ? Optional.empty()
          : Optional.of(
              dir.getParent() + " does not exist; fix: create it first, or name another --dir");
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(dir + " exists and is not a folder; fix: name a new folder with --dir");
    }
    if (!isEmpty()) {
      return Optional.of(
          dir + " exists and is not empty; fix: name a new or empty folder with --dir");
    }
    return Optional.empty();
  }

  /** Writes each file (path relative to the folder, text), creating the folders on the way. */
  void write(Map<String, String> files) throws IOException {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        createFolder(dir);
      }
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        createFoldersTo(path.getParent());
        createFile(path, file.getValue());
      }
    } catch (IOException | RuntimeException e) {
      removeCreated();
      throw e;
    }
  }

  private boolean isEmpty() {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private void createFoldersTo(Path folder) throws IOException {
    if (folder.equals(dir) || Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    createFoldersTo(folder.getParent());
    createFolder(folder);
  }

  private void createFolder(Path folder) throws IOException {
    Files.createDirectory(folder);
    created.add(folder);
    setMode(folder, FOLDER_MODE);
  }

  /** CREATE_NEW is O_EXCL: it fails on anything already there, a link included. */
  private void createFile(Path file, String text) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      created.add(file);
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }
    setMode(file, FILE_MODE);
  }

  private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(mode);
  }

  private void removeCreated() {
    for (int i = created.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(created.get(i));
      } catch (IOException e) {
        // Best effort: the error that made us clean up is the one the user sees.
      }
    }
  }
}
