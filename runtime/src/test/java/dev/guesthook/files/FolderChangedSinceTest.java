package dev.guesthook.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder guesthook wrote in a moment ago is changed before its next write: the next write sees
 * the change and refuses, as a first write would, or lands in the folder it walked, never
 * elsewhere; although a folder used again soon is not walked from {@code /} again (HeldFolders).
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

  /**
   * Adversary pass (report-adv-s20 S-A): a folder higher up becomes a link to itself, then flips
   * between that and a link to another folder while writes go on. Each write is refused or lands in
   * the folder walked: none is taken elsewhere between a check of the path and the open.
   */
  @Test
  void aFolderHigherUpFlippingToALinkNeverTakesAWriteElsewhere() throws Exception {
    Path lib = base.resolve("var/lib");
    Path real = Files.move(lib.resolve("guesthook"), lib.resolve("guesthook.real"));
    Files.createSymbolicLink(lib.resolve("guesthook"), real);
    Files.createDirectories(elsewhere.resolve("recordings"));
    Path toReal = Files.createSymbolicLink(lib.resolve("to-real"), real);
    Path toElsewhere = Files.createSymbolicLink(lib.resolve("to-elsewhere"), elsewhere);
    int written =
        linesWrittenWhile(
            () -> {
              flip(toElsewhere, lib.resolve("guesthook"));
              flip(toReal, lib.resolve("guesthook"));
            },
            UnsafePathException.class); // the walk saw the link: refused, as it must be

    assertNothingWrittenElsewhere();
    assertEquals(written, Files.readAllLines(real.resolve("recordings/101.jsonl")).size() - 1);
  }

  /** Something done to the folders again and again while guesthook writes. */
  private interface Meddling {
    void once() throws IOException;
  }

  /**
   * Appends a line to the file again and again for 2 s while {@code meddling} runs beside it; an
   * open refused with {@code refused} is no line, any other failure fails the test. The lines
   * written.
   */
  private int linesWrittenWhile(Meddling meddling, Class<? extends IOException> refused)
      throws Exception {
    AtomicBoolean meddlingOn = new AtomicBoolean(true);
    Thread meddler =
        new Thread(
            () -> {
              try {
                while (meddlingOn.get()) {
                  meddling.once();
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    meddler.start();
    int written = 0;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    try {
      while (System.nanoTime() < until) {
        try (FileChannel channel =
            SafeFiles.open(file(), StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
          channel.write(ByteBuffer.wrap("x\n".getBytes(StandardCharsets.UTF_8)));
          written++;
        } catch (IOException e) {
          if (!refused.isInstance(e)) {
            throw e;
          }
        }
      }
    } finally {
      meddlingOn.set(false);
      meddler.join();
    }
    return written;
  }

  /** Puts a copy of {@code link} at {@code place} in one rename, as a planted link would be. */
  private static void flip(Path link, Path place) throws IOException {
    Path copy = link.resolveSibling(link.getFileName() + ".new");
    Files.deleteIfExists(copy);
    Files.createSymbolicLink(copy, Files.readSymbolicLink(link));
    Files.move(copy, place, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Adversary pass (report-adv-s20b F3): the folder as a link to itself is refused at once. */
  @Test
  void theFolderSwappedForALinkToItselfIsRefused() throws Exception {
    Path real = Files.move(folder, folder.resolveSibling("recordings.real"));
    Files.createSymbolicLink(folder, real);

    UnsafePathException refused =
        assertThrows(UnsafePathException.class, () -> SafeFiles.writeString(file(), "second\n"));

    assertTrue(refused.getMessage().contains("is a symbolic link"), refused::getMessage);
  }

  /**
   * Adversary pass (report-adv-s20b F1): a folder removed again and again while files are opened in
   * it leaves no descriptor open (a folder gone between its walk and its hold leaked two each time,
   * up to the process's limit).
   */
  @Test
  void aFolderRemovedAgainAndAgainLeavesNoDescriptorOpen() throws Exception {
    linesWrittenWhile(
        () -> {
          try {
            FolderTree.remove(folder);
          } catch (IOException | RuntimeException raced) {
            // made again meanwhile: the next round removes it
          }
        },
        IOException.class); // removed between the walk and the open: refused, as it may be

    assertTrue(descriptorsUnder(base) <= 2, () -> descriptorsUnder(base) + " descriptors open");
  }

  /** Adversary pass (report-adv-s20b F2): a folder is not held once idle; its mount is free. */
  @Test
  void anIdleFolderIsLetGo() throws Exception {
    assertTrue(descriptorsUnder(base) > 0, "held after its write");

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (descriptorsUnder(base) > 0 && System.nanoTime() < until) {
      Thread.sleep(200);
    }

    assertEquals(0, descriptorsUnder(base));
  }

  /** This process's descriptors open on anything under {@code folder}, removed ones included. */
  private static long descriptorsUnder(Path folder) {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith(folder.toString());
                } catch (IOException closedMeanwhile) {
                  return false;
                }
              })
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
