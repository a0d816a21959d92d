package dev.guesthook.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A VM's QEMU as a sandbox shows it: qemu-server's pid file and the process's /proc entries, with
 * the command line Proxmox starts QEMU with ({@code -pidfile /var/run/qemu-server/<vmid>.pid}).
 */
public final class RunningQemu {
  private RunningQemu() {}

  /** VM {@code vmid}'s QEMU runs as process {@code pid}. */
  public static void plant(Path root, int vmid, int pid) throws IOException {
    plantProcess(
        root,
        vmid,
        pid,
        "/usr/bin/kvm\0-id\0"
            + vmid
            + "\0-name\0vm"
            + vmid
            + "\0-pidfile\0/var/run/qemu-server/"
            + vmid
            + ".pid\0-daemonize\0",
        "kvm");
  }

  /** VM {@code vmid}'s pid file names process {@code pid}, which is some other program. */
  public static void plantStale(Path root, int vmid, int pid) throws IOException {
    plantProcess(root, vmid, pid, "/usr/sbin/sshd\0-D\0", "sshd");
  }

  private static void plantProcess(Path root, int vmid, int pid, String cmdline, String name)
      throws IOException {
    Files.createDirectories(root.resolve("run/qemu-server"));
    Files.writeString(root.resolve("run/qemu-server/" + vmid + ".pid"), pid + "\n");
    Path process = Files.createDirectories(root.resolve("proc/" + pid));
    Files.writeString(process.resolve("cmdline"), cmdline);
    Files.writeString(
        process.resolve("stat"),
        pid + " (" + name + ") S 1 " + pid + " " + pid + " 0 -1 4194560\n");
  }

  /** The process and its pid file are gone, as after QEMU exits. */
  public static void end(Path root, int vmid, int pid) throws IOException {
    Files.deleteIfExists(root.resolve("run/qemu-server/" + vmid + ".pid"));
    Files.deleteIfExists(root.resolve("proc/" + pid + "/cmdline"));
    Files.deleteIfExists(root.resolve("proc/" + pid + "/stat"));
    Files.deleteIfExists(root.resolve("proc/" + pid));
  }
}
