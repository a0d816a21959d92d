package dev.guesthook.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder guesthook wrote in a moment ago is changed before its next write: the next write sees
 * the change and refuses, as a first write would, although a folder used again soon is not walked
 * from {@code /} again (CheckedFolders).
 */
class FolderChangedSinceTest {
  @TempDir Path base;
  private Path folder;
  private Path elsewhere;

  @BeforeEach
  void aFileWrittenInAFolderOnce() throws Exception {
    folder = base.resolve("var/lib/guesthook/recordings");
    SafeFiles.writeString(folder.resolve("101.jsonl"), "first\n");
    elsewhere = Files.createDirectories(base.resolve("elsewhere"));
  }

  @Test
  void theFolderSwappedForALinkIsRefused() throws Exception {
    Files.move(folder, base.resolve("var/lib/guesthook/moved"));
    Files.createSymbolicLink(folder, elsewhere);

    UnsafePathException refused =
        assertThrows(UnsafePathException.class, () -> SafeFiles.writeString(file(), "second\n"));

    assertTrue(refused.getMessage().contains("is a symbolic link"), refused::getMessage);
    assertNothingWrittenElsewhere();
  }

  @Test
  void aFolderHigherUpSwappedForALinkIsRefused() throws Exception {
    Path guesthook = base.resolve("var/lib/guesthook");
    Files.createDirectories(elsewhere.resolve("recordings"));
    Files.move(guesthook, base.resolve("var/lib/moved"));
    Files.createSymbolicLink(guesthook, elsewhere);

    UnsafePathException refused =
        assertThrows(UnsafePathException.class, () -> SafeFiles.writeString(file(), "second\n"));

    assertTrue(
        refused.getMessage().contains(guesthook + " is a symbolic link"), refused::getMessage);
    assertNothingWrittenElsewhere();
  }

  @Test
  void theFolderMadeWritableByOthersIsRefused() throws Exception {
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx---rwx"));

    UnsafePathException refused =
        assertThrows(UnsafePathException.class, () -> SafeFiles.writeString(file(), "second\n"));

    assertTrue(refused.getMessage().contains("writable by others"), refused::getMessage);
    assertEquals("first\n", Files.readString(file()));
  }

  @Test
  void theFolderRemovedIsMadeAgain() throws Exception {
    FolderTree.remove(base.resolve("var/lib/guesthook"));

    try (var channel =
        SafeFiles.open(file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap("again\n".getBytes(StandardCharsets.UTF_8)));
    }

    assertEquals("again\n", Files.readString(file()));
  }

  @Test
  void aFileMadeWritableByOthersIsRefusedBeforeItIsOpened() throws Exception {
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-rw-rw-"));

    UnsafePathException refused =
        assertThrows(UnsafePathException.class, () -> SafeFiles.writeString(file(), "second\n"));

    assertTrue(refused.getMessage().contains("cannot be trusted"), refused::getMessage);
    assertEquals("first\n", Files.readString(file()), "not truncated by an open");
  }

  private Path file() {
    return folder.resolve("101.jsonl");
  }

  private void assertNothingWrittenElsewhere() throws Exception {
    try (var files = Files.walk(elsewhere)) {
      assertFalse(files.anyMatch(Files::isRegularFile), "a file was written through the link");
    }
  }
}
