package dev.guesthook.host.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.Wedge;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.host.WriteIntent;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.json.Json;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A risky write on the real host is made by a helper process, so a write that never returns (here:
 * a FIFO nobody reads, whose open(2) blocks and ignores a Java interrupt, as a store in a stuck
 * driver does) is given up on: the caller gets its errno, the helper is killed, the device marked.
 */
class HungKernelWriteOnLinuxTest {
  static final String DEVICE = "0000:0b:00.0";
  static final HostPath UNBIND = HostPath.parse("/sys/bus/pci/drivers/amdgpu/unbind");
  static final HostPath BIND = HostPath.parse("/sys/bus/pci/drivers/amdgpu/bind");

  @TempDir Path root;
  FileTree tree;

  @BeforeEach
  void aStuckAttribute() throws Exception {
    Files.createDirectories(UNBIND.parent().under(root));
    Process mkfifo = new ProcessBuilder("mkfifo", UNBIND.under(root).toString()).start();
    assertEquals(0, mkfifo.waitFor());
    tree = new FileTree(root);
  }

  @Test
  void aStuckWriteIsGivenUpOnWhenItsHookIsAndItsDeviceMarked() throws Exception {
    LinuxHost host = new LinuxHost(tree, Duration.ofMinutes(5));
    AtomicReference<Thread> writer = new AtomicReference<>();
    CompletableFuture<HostException> failed =
        CompletableFuture.supplyAsync(
            () -> {
              writer.set(Thread.currentThread());
              return assertThrows(HostException.class, () -> host.write(UNBIND, DEVICE));
            });
    Optional<String> stuck = Optional.empty();
    while (stuck.isEmpty()) {
      Thread.sleep(50);
      stuck = Optional.ofNullable(writer.get()).flatMap(KernelWrites::abandonOn);
    }

    HostException error = failed.get(5, TimeUnit.SECONDS);
    assertEquals("ECANCELED", error.errno(), error.getMessage());
    assertTrue(stuck.get().contains("device " + DEVICE + " is marked wedged"), stuck.get());
    Wedge wedge = new WedgedDevices(tree).find(DEVICE).orElseThrow();
    assertEquals(UNBIND.toString(), wedge.path());
    Optional<ProcessHandle> helper = ProcessHandle.of(wedge.pid());
    if (helper.isPresent()) {
      helper.get().onExit().get(5, TimeUnit.SECONDS); // blocked in open(2), it dies of SIGKILL
    }
  }

  @Test
  void aWriteOutlivingTheDeadlineFailsWithEtimedoutAndLaterWritesAreRefusedUntouched()
      throws Exception {
    LinuxHost host = new LinuxHost(tree, Duration.ofMillis(300));

    HostException timedOut = assertThrows(HostException.class, () -> host.write(UNBIND, DEVICE));
    assertEquals("ETIMEDOUT", timedOut.errno(), timedOut.getMessage());

    Files.createDirectories(BIND.parent().under(root));
    HostException refused = assertThrows(HostException.class, () -> host.write(BIND, DEVICE));
    assertEquals("ENOTRECOVERABLE", refused.errno());
    assertTrue(
        refused.getMessage().contains("device " + DEVICE + " is wedged: write 'unbind'"),
        refused.getMessage());
    assertFalse(Files.exists(BIND.under(root)), "a refused write opens nothing");
  }

  @Test
  void aCallerInterruptedBeforeTheWriteStartsNoneAndMarksNothing() {
    LinuxHost host = new LinuxHost(tree, Duration.ofSeconds(10));
    Thread.currentThread().interrupt();
    HostException refused;
    try {
      refused = assertThrows(HostException.class, () -> host.write(UNBIND, DEVICE));
    } finally {
      Thread.interrupted();
    }
    assertEquals("ECANCELED", refused.errno(), refused.getMessage());
    assertEquals(Optional.empty(), new WedgedDevices(tree).find(DEVICE));
  }

  @Test
  void inProcessTheSameWriteHoldsItsThreadThroughAnInterrupt() throws Exception {
    Thread thread = new Thread(() -> tree.write(UNBIND, DEVICE));
    thread.setDaemon(true);
    thread.start();
    Thread.sleep(200);
    thread.interrupt();
    thread.join(1000);
    assertTrue(thread.isAlive(), "open(2) of a FIFO ignores Java's interrupt");
    try (FileInputStream reader = new FileInputStream(UNBIND.under(root).toFile())) {
      thread.join(5000); // a reader lets it go
    }
    assertFalse(thread.isAlive());
  }

  @Test
  void aHelpersWriteAnswersAsAnInProcessWriteDoes() throws Exception {
    LinuxHost host = new LinuxHost(tree, Duration.ofSeconds(10));
    HostPath reset = HostPath.parse("/sys/bus/pci/devices/" + DEVICE + "/reset");
    Files.createDirectories(reset.parent().under(root));
    Files.writeString(reset.under(root), "a longer old value");

    host.write(reset, "1");
    assertEquals("1", Files.readString(reset.under(root)), "truncated, as echo -n 1 > reset");

    HostPath missing = HostPath.parse("/sys/bus/pci/devices/0000:0c:00.0/remove");
    HostException helper = assertThrows(HostException.class, () -> host.write(missing, "1"));
    HostException inProcess = assertThrows(HostException.class, () -> tree.write(missing, "1"));
    assertEquals(inProcess.errno(), helper.errno());
    assertEquals(inProcess.getMessage(), helper.getMessage());

    HostPath folder = HostPath.parse("/sys/bus/pci/devices/" + DEVICE + "/sriov_numvfs");
    Files.createDirectories(folder.under(root));
    HostException isDir = assertThrows(HostException.class, () -> host.write(folder, "4"));
    assertEquals("EISDIR", isDir.errno(), isDir.getMessage());
  }

  @Test
  void aLinkInTheAttributesPlaceIsNotFollowed() throws Exception {
    LinuxHost host = new LinuxHost(tree, Duration.ofSeconds(10));
    HostPath reset = HostPath.parse("/sys/bus/pci/devices/" + DEVICE + "/reset");
    Files.createDirectories(reset.parent().under(root));
    Path target = Files.writeString(root.resolve("elsewhere"), "kept");
    Files.createSymbolicLink(reset.under(root), target);

    HostException refused = assertThrows(HostException.class, () -> host.write(reset, "1"));
    assertEquals("ELOOP", refused.errno(), refused.getMessage());
    assertEquals("kept", Files.readString(target));
  }

  @Test
  void aCallerKilledWhileTheKernelHoldsItsWriteLeavesTheDeviceWedged() throws Exception {
    Process caller = RiskyWriteProcess.start(root, UNBIND, DEVICE);
    awaitNoteOf(caller);

    caller.destroyForcibly().waitFor(); // kill -9: no finally, no mark written by the caller

    Wedge wedge = new WedgedDevices(tree).find(DEVICE).orElseThrow();
    assertTrue(wedge.holder().contains("guesthook pid " + caller.pid()), wedge.holder());
    Files.createDirectories(BIND.parent().under(root));
    LinuxHost next = new LinuxHost(tree, Duration.ofSeconds(10));
    HostException refused = assertThrows(HostException.class, () -> next.write(BIND, DEVICE));
    assertEquals("ENOTRECOVERABLE", refused.errno(), refused.getMessage());
    assertTrue(refused.getMessage().contains("write 'unbind'"), refused.getMessage());
    assertFalse(Files.exists(BIND.under(root)), "a refused write opens nothing");
    letTheHelperGo(wedge.pid());
  }

  @Test
  void aKilledCallersWriteThatReturnedMarksNothing() throws Exception {
    Process caller = RiskyWriteProcess.start(root, UNBIND, DEVICE);
    long helper = awaitNoteOf(caller);
    caller.destroyForcibly().waitFor();

    letTheHelperGo(helper); // the kernel returns after all: the write was made

    assertEquals(Optional.empty(), new WedgedDevices(tree).find(DEVICE));
    assertEquals(List.of(), new WedgedDevices(tree).all());
    assertFalse(Files.exists(NOTE.under(root)), "the note of a write that returned is gone");
  }

  @Test
  void aWriteThatReturnedLeavesNoNote() throws Exception {
    LinuxHost host = new LinuxHost(tree, Duration.ofSeconds(10));
    HostPath reset = HostPath.parse("/sys/bus/pci/devices/" + DEVICE + "/reset");
    Files.createDirectories(reset.parent().under(root));

    host.write(reset, "1");

    assertEquals(List.of(), tree.list(WedgedDevices.FOLDER));
  }

  static final HostPath NOTE = WedgedDevices.FOLDER.resolve(DEVICE + ".writing");

  /** Waits for the caller's note of its write under way; the helper's pid. */
  private long awaitNoteOf(Process caller) throws Exception {
    Path note = NOTE.under(root);
    for (int i = 0; i < 400 && !Files.exists(note); i++) {
      assertTrue(caller.isAlive(), "the writing process ended before its write hung");
      Thread.sleep(25);
    }
    Thread.sleep(100); // the note is whole once written: one write of a few hundred bytes
    return Json.MAPPER.readValue(Files.readString(note), WriteIntent.class).holderPid();
  }

  /** A reader lets the FIFO's writer go, as a kernel that finally returns. */
  private void letTheHelperGo(long pid) throws Exception {
    try (FileInputStream reader = new FileInputStream(UNBIND.under(root).toFile())) {
      Optional<ProcessHandle> helper = ProcessHandle.of(pid);
      if (helper.isPresent()) {
        helper.get().onExit().get(5, TimeUnit.SECONDS);
      }
    }
  }
}
