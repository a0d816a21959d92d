package dev.guesthook.cli;

import dev.guesthook.files.FolderTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A new project folder DIR, written so that nothing lands outside it: the project is written into a
 * private folder of a random name beside DIR (mode 0700 while written), then renamed to DIR in one
 * rename(2) when DIR is missing, or its entries moved into an existing empty DIR through a handle
 * opened without following links; either fails if DIR has since become a link, a file or not empty.
 * A kill while writing leaves at most that private folder, and DIR as it was. Files are 0644 and
 * folders 0755 whatever the umask.
 */
final class NewProjectFolder {
  private static final Set<PosixFilePermission> FOLDER_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> PRIVATE_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  NewProjectFolder(Path dir) {
    this.dir = resolved(dir.toAbsolutePath());
  }

  /** Why a write failed, in plain words with the fix and what, if anything, was left behind. */
  static final class WriteFailure extends IOException {
    WriteFailure(String message, IOException cause) {
      super(message, cause);
    }
  }

  /**
   * DIR with its parent's links followed as the shell's {@code mkdir -p} would ("L/../zz" is zz
   * beside where L leads); DIR itself is not resolved, so a link there is seen and refused.
   */
  Path dir() {
    return dir;
  }

  private static Path resolved(Path given) {
    Path named = endsInDots(given) ? realOrAsGiven(given) : given;
    Path parent = named.getParent();
    return parent == null ? named : realOrAsGiven(parent).resolve(named.getFileName());
  }

  /** Why the project cannot be written there, with the fix; empty when it can. */
  Optional<String> refusal() {
    if (dir.getParent() == null) {
      return Optional.of(dir + " cannot hold a project; fix: name a new folder with --dir");
    }
    Optional<String> parentRefusal = parentRefusal(dir.getParent());
    if (parentRefusal.isPresent()) {
      return parentRefusal;
    }
    if (Files.isSymbolicLink(dir)) {
      return Optional.of(
          dir
              + " is a symbolic link, which new-hook does not follow; fix: name the real folder"
              + " with --dir, or a new one");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(dir + " exists and is not a folder; fix: name a new folder with --dir");
    }
    if (!isEmpty(dir)) {
      return Optional.of(
          dir + " exists and is not empty; fix: name a new or empty folder with --dir");
    }
    return Optional.empty();
  }

  /**
   * Writes each file (path relative to the folder, text) into a private folder beside DIR, then
   * puts it in place ({@link #put}); on failure removes the private folder again.
   */
  void write(Map<String, String> files) throws WriteFailure {
    Path parent = dir.getParent();
    Path draft;
    try {
      draft =
          Files.createDirectory(
              draftName(parent, dir), PosixFilePermissions.asFileAttribute(PRIVATE_MODE));
    } catch (IOException e) {
      throw failure(parent, e, "nothing written");
    }
    try {
      fill(draft, files);
      setMode(draft, FOLDER_MODE);
    } catch (IOException e) {
      throw failure(parent, e, cleanUp(draft));
    }
    try {
      put(draft);
    } catch (IOException e) {
      throw new WriteFailure(whyNotPut(e) + "; " + cleanUp(draft), e);
    }
  }

  /**
   * A missing DIR is the draft renamed. An existing empty DIR is kept (a shell standing in it, its
   * owner, mode and ACLs stay): the draft's entries move into it through a handle opened without
   * following a link, so a DIR swapped for a link since it was checked is never written through.
   */
  private void put(Path draft) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(draft, dir, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    try (DirectoryStream<Path> parent = Files.newDirectoryStream(dir.getParent())) {
      if (!(parent instanceof SecureDirectoryStream<Path> at)) {
        Files.move(draft, dir, StandardCopyOption.ATOMIC_MOVE); // replaces the empty folder
        return;
      }
      moveEntries(at, draft.getFileName(), dir.getFileName());
      at.deleteDirectory(draft.getFileName());
    }
  }

  private static void moveEntries(SecureDirectoryStream<Path> parent, Path from, Path to)
      throws IOException {
    try (SecureDirectoryStream<Path> source =
            parent.newDirectoryStream(from, LinkOption.NOFOLLOW_LINKS);
        SecureDirectoryStream<Path> target =
            parent.newDirectoryStream(to, LinkOption.NOFOLLOW_LINKS)) {
      if (target.iterator().hasNext()) {
        throw new FileAlreadyExistsException(to.toString(), null, "not empty any more");
      }
      List<Path> names = new ArrayList<>();
      source.forEach(entry -> names.add(entry.getFileName()));
      for (Path name : names) {
        source.move(name, target, name);
      }
    }
  }

  /**
   * The rename fails when DIR became a link, a file or not empty since it was checked: say which.
   */
  private String whyNotPut(IOException e) {
    return refusal()
        .map(refusal -> refusal + " (it changed while the project was written)")
        .orElse("cannot put the project in " + dir + ": " + plainReason(e));
  }

  /** A name beside DIR that no earlier run, even one killed while writing, can have taken. */
  private static Path draftName(Path parent, Path dir) {
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    return parent.resolve(
        "." + dir.getFileName() + ".new-hook-" + HexFormat.of().formatHex(random));
  }

  private static void fill(Path draft, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = draft.resolve(file.getKey());
      createFoldersTo(draft, path.getParent());
      createFile(path, file.getValue());
    }
  }

  private static boolean endsInDots(Path given) {
    Path last = given.getFileName();
    return last != null && (last.toString().equals(".") || last.toString().equals(".."));
  }

  private static Path realOrAsGiven(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.normalize();
    }
  }

  /** The parent must be a folder: the nearest part that exists says why it is not. */
  private static Optional<String> parentRefusal(Path parent) {
    if (Files.isDirectory(parent)) {
      return Optional.empty();
    }
    Path missing = parent;
    while (missing.getParent() != null && !Files.exists(missing.getParent())) {
      missing = missing.getParent();
    }
    Path existing = missing.getParent();
    if (existing != null && !Files.isDirectory(existing)) {
      return Optional.of(
          existing + " is not a folder; fix: name a --dir in a folder, or a new one");
    }
    if (Files.exists(parent)) {
      return Optional.of(parent + " is not a folder; fix: name a --dir in a folder, or a new one");
    }
    return Optional.of(parent + " does not exist; fix: create it first, or name another --dir");
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static void createFoldersTo(Path draft, Path folder) throws IOException {
    if (folder.equals(draft) || Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    createFoldersTo(draft, folder.getParent());
    Files.createDirectory(folder);
    setMode(folder, FOLDER_MODE);
  }

  /** CREATE_NEW is O_EXCL: it fails on anything already there, a link included. */
  private static void createFile(Path file, String text) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
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

  /** Removes the private folder; says "nothing written" only when it is gone. */
  private static String cleanUp(Path draft) {
    try {
      FolderTree.remove(draft);
      return "nothing written";
    } catch (IOException e) {
      return "left behind: " + draft + " (a partial project; remove it)";
    }
  }

  private static WriteFailure failure(Path parent, IOException e, String leftOver) {
    return new WriteFailure(
        "cannot write in " + parent + ": " + plainReason(e) + "; " + leftOver, e);
  }

  /** The reason in plain words, with its fix: what a user can act on, not an exception's name. */
  static String plainReason(IOException e) {
    String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
    if (e instanceof AccessDeniedException
        || "Permission denied".equals(reason)
        || "Operation not permitted".equals(reason)) {
      return "permission denied; fix: name a --dir in a folder you may write in";
    }
    if ("Read-only file system".equals(reason)) {
      return "the file system is read-only; fix: name a --dir on a writable one";
    }
    if ("No space left on device".equals(reason) || "Disk quota exceeded".equals(reason)) {
      return "no space left (" + reason + "); fix: free some space, or name a --dir elsewhere";
    }
    return (reason == null ? "it failed" : reason) + "; fix: name another --dir";
  }
}
