package dev.guesthook.host.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link HostPort} promises, run over each implementation (as Vert.x reruns one suite
 * over every cluster manager): the same questions get the same answers, failures are the errno a
 * Linux kernel gives, and no link takes a call out of the host's root. A subclass says how to build
 * its host over a tree laid out by {@link #layOut}; where an implementation deliberately answers
 * otherwise, its subclass overrides that one test and says why.
 *
 * <p>Each test is a scenario run through {@link #check}, so a host that can only answer what it saw
 * before (a replay) can run the scenario twice: once to record, once to answer.
 */
public abstract class HostPortContract {
  protected static final HostPath CONFIG = HostPath.parse("/etc/pve/qemu-server/100.conf");
  protected static final HostPath CONFIG_FOLDER = CONFIG.parent();
  protected static final HostPath INSIDE_LINK = HostPath.parse("/etc/pve/current.conf");
  protected static final HostPath DANGLING_LINK = HostPath.parse("/etc/pve/gone.conf");

  /** A link to the folder holding the temporary root: the root's own outside. */
  protected static final HostPath ESCAPING_LINK = HostPath.parse("/etc/escape");

  protected static final HostPath SCRATCH = HostPath.parse("/var/tmp/contract");
  protected static final HostPath MISSING = HostPath.parse("/etc/pve/qemu-server/999.conf");

  /** A binary file, as a PCI function's {@code config}: bytes that are no text (0xff, 0x00). */
  protected static final HostPath BINARY = HostPath.parse("/var/tmp/config");

  protected static final byte[] BINARY_BYTES = {
    (byte) 0x86, (byte) 0x80, (byte) 0xd3, 0x10, 0x00, (byte) 0xff, (byte) 0xc3, 0x28
  };

  @TempDir protected Path root;
  private HostPort host;

  /** The implementation under test over {@link #root}, laid out by {@link #layOut}. */
  protected abstract HostPort create(Path root) throws IOException;

  /** A scenario of calls and expectations on one host. */
  @FunctionalInterface
  protected interface Scenario {
    void on(HostPort host) throws Exception;
  }

  /** Runs a scenario on the host under test; a replay records it on another host first. */
  protected void check(Scenario scenario) throws Exception {
    scenario.on(host);
  }

  @BeforeEach
  void build() throws IOException {
    layOut(root);
    host = create(root);
  }

  /**
   * The tree every scenario starts from: a guest config, links inside and out of the root, a
   * scratch folder.
   */
  protected static void layOut(Path root) throws IOException {
    Path config = CONFIG.under(root);
    Files.createDirectories(config.getParent());
    Files.writeString(config, "memory: 512\n");
    Files.writeString(CONFIG_FOLDER.resolve("101.conf").under(root), "memory: 1024\n");
    Files.createSymbolicLink(INSIDE_LINK.under(root), Path.of("qemu-server/100.conf"));
    Files.createSymbolicLink(DANGLING_LINK.under(root), Path.of("qemu-server/998.conf"));
    Files.createSymbolicLink(ESCAPING_LINK.under(root), root.getParent());
    Files.createDirectories(SCRATCH.under(root));
    Files.write(BINARY.under(root), BINARY_BYTES);
  }

  protected static void assertErrno(String errno, Executable call) {
    HostException e = assertThrows(HostException.class, call);
    assertEquals(errno, e.errno(), () -> "errno of: " + e.getMessage());
  }

  @Test
  void readsAWholeFile() throws Exception {
    check(h -> assertEquals("memory: 512\n", h.read(CONFIG)));
  }

  @Test
  void readsThroughALinkInsideTheRoot() throws Exception {
    check(h -> assertEquals("memory: 512\n", h.read(INSIDE_LINK)));
  }

  @Test
  void readOfAMissingFileIsEnoent() throws Exception {
    check(h -> assertErrno("ENOENT", () -> h.read(MISSING)));
  }

  @Test
  void readOfAFolderIsEisdir() throws Exception {
    check(h -> assertErrno("EISDIR", () -> h.read(CONFIG_FOLDER)));
  }

  @Test
  void readBelowAFileIsEnotdir() throws Exception {
    check(h -> assertErrno("ENOTDIR", () -> h.read(CONFIG.resolve("x"))));
  }

  @Test
  void readBytesGivesTheFilesBytesAsTheyAre() throws Exception {
    check(h -> assertArrayEquals(BINARY_BYTES, h.readBytes(BINARY, 64)));
  }

  @Test
  void readBytesStopsAtItsBound() throws Exception {
    check(h -> assertArrayEquals(Arrays.copyOf(BINARY_BYTES, 4), h.readBytes(BINARY, 4)));
  }

  @Test
  void readBytesOfAMissingFileIsEnoentAndOfAFolderEisdir() throws Exception {
    check(
        h -> {
          assertErrno("ENOENT", () -> h.readBytes(MISSING, 4));
          assertErrno("EISDIR", () -> h.readBytes(CONFIG_FOLDER, 4));
        });
  }

  @Test
  void readBytesThroughALinkOutOfTheRootIsRefused() throws Exception {
    check(h -> assertErrno("EXDEV", () -> h.readBytes(ESCAPING_LINK.resolve("x"), 4)));
  }

  @Test
  void writeThenReadGivesTheValueBack() throws Exception {
    HostPath note = SCRATCH.resolve("note");
    check(
        h -> {
          h.write(note, "1");
          h.write(note, "22");
          assertEquals("22", h.read(note));
          assertTrue(h.exists(note));
        });
  }

  @Test
  void writeIntoAMissingFolderIsEnoent() throws Exception {
    check(h -> assertErrno("ENOENT", () -> h.write(SCRATCH.resolve("absent", "note"), "1")));
  }

  @Test
  void existsSeesFilesFoldersAndLinksButNotTheAbsent() throws Exception {
    check(
        h -> {
          assertTrue(h.exists(CONFIG));
          assertTrue(h.exists(CONFIG_FOLDER));
          assertTrue(h.exists(INSIDE_LINK));
          assertTrue(h.exists(DANGLING_LINK), "a dangling link is there, as lstat(2) sees it");
          assertFalse(h.exists(MISSING));
        });
  }

  @Test
  void listGivesSortedNames() throws Exception {
    check(h -> assertEquals(List.of("100.conf", "101.conf"), h.list(CONFIG_FOLDER)));
  }

  @Test
  void listOfAMissingFolderIsEnoent() throws Exception {
    check(h -> assertErrno("ENOENT", () -> h.list(SCRATCH.resolve("absent"))));
  }

  @Test
  void listOfAFileIsEnotdir() throws Exception {
    check(h -> assertErrno("ENOTDIR", () -> h.list(CONFIG)));
  }

  @Test
  void createDirectoriesMakesParentsAndMayBeRepeated() throws Exception {
    HostPath deep = SCRATCH.resolve("a", "b", "c");
    check(
        h -> {
          h.createDirectories(deep);
          h.createDirectories(deep);
          assertTrue(h.exists(deep));
          assertEquals(List.of(), h.list(deep));
          assertEquals(List.of("b"), h.list(deep.parent().parent()));
        });
  }

  @Test
  void createDirectoriesBelowAFileIsEnotdir() throws Exception {
    check(h -> assertErrno("ENOTDIR", () -> h.createDirectories(CONFIG.resolve("sub"))));
  }

  @Test
  void createDirectoriesOverAFileIsEexist() throws Exception {
    check(h -> assertErrno("EEXIST", () -> h.createDirectories(CONFIG)));
  }

  @Test
  void deleteRemovesAFileAndForgivesTheAbsent() throws Exception {
    HostPath note = SCRATCH.resolve("note");
    check(
        h -> {
          h.write(note, "1");
          h.delete(note);
          h.delete(note);
          assertFalse(h.exists(note));
          assertEquals(List.of(), h.list(SCRATCH));
        });
  }

  @Test
  void deleteOfAFolderWithEntriesIsEnotempty() throws Exception {
    check(h -> assertErrno("ENOTEMPTY", () -> h.delete(CONFIG_FOLDER)));
  }

  @Test
  void readLinkGivesTheAbsoluteTarget() throws Exception {
    check(h -> assertEquals(Optional.of(CONFIG), h.readLink(INSIDE_LINK)));
  }

  @Test
  void readLinkOfAFileIsEmpty() throws Exception {
    check(h -> assertEquals(Optional.empty(), h.readLink(CONFIG)));
  }

  @Test
  void readLinkOutOfTheRootIsRefused() throws Exception {
    check(h -> assertErrno("EXDEV", () -> h.readLink(ESCAPING_LINK)));
  }

  @Test
  void listThroughALinkOutOfTheRootIsRefused() throws Exception {
    check(h -> assertErrno("EXDEV", () -> h.list(ESCAPING_LINK)));
  }

  @Test
  void writeThroughALinkOutOfTheRootIsRefusedAndLeavesTheOutsideAlone() throws Exception {
    HostPath outsideFile = ESCAPING_LINK.resolve("planted-by-contract");
    check(h -> assertErrno("EXDEV", () -> h.write(outsideFile, "x")));
    assertFalse(Files.exists(root.resolveSibling("planted-by-contract")));
  }

  @Test
  void usableBytesOfAFolderIsAnAmount() throws Exception {
    check(h -> assertTrue(h.usableBytes(SCRATCH) >= 0));
  }

  @Test
  void aCommandThatFailsIsAResultNotAnException() throws Exception {
    check(
        h -> {
          CommandResult result = h.run(HostCommand.of("false"));
          assertNotNull(result);
          assertFalse(result.succeeded(), () -> "false succeeded: " + result);
        });
  }

  @Test
  void describesItself() throws Exception {
    check(h -> assertFalse(h.describe().isBlank()));
  }
}
