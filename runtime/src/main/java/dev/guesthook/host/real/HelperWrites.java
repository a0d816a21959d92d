package dev.guesthook.host.real;

import dev.guesthook.host.HostException;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.RiskyWrite;
import dev.guesthook.host.tree.FileTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes each risky write in a helper process of its own, {@code dd}, so a write the kernel never
 * returns from holds that process, not a thread of the runtime. The value travels on the helper's
 * own stdin pipe and is written in one write(2) (one block of up to a page, as sysfs takes a store
 * per write call); the file is opened as {@code echo -n value > path} opens it, but never through a
 * link in its last name. The helper's output goes to a pipe of its own and /dev/null, never to
 * guesthook's: Proxmox reads the hookscript's output until EOF, and a stuck helper holding it would
 * hang Proxmox.
 */
final class HelperWrites implements KernelWrites.Writer {
  /** A sysfs store takes at most a page per write(2); values of risky writes are ids. */
  static final int MAX_VALUE_BYTES = 4096;

  /** Enough for dd's one line of error. */
  private static final int MAX_ERROR_BYTES = 4096;

  private final FileTree tree;

  HelperWrites(FileTree tree) {
    this.tree = tree;
  }

  @Override
  public KernelWrites.PendingWrite start(RiskyWrite write) {
    byte[] value = write.value().getBytes(StandardCharsets.UTF_8);
    if (value.length > MAX_VALUE_BYTES) {
      throw new HostException(
          "EINVAL",
          write.path() + ": a value over " + MAX_VALUE_BYTES + " bytes is no sysfs store");
    }
    ProcessBuilder dd =
        new ProcessBuilder(
                List.of(
                    "dd",
                    "of=" + tree.fileOf(write.path()),
                    "oflag=nofollow",
                    "bs=" + MAX_VALUE_BYTES,
                    "count=1",
                    "iflag=fullblock",
                    "status=none"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.PIPE);
    dd.environment().put("LC_ALL", "C"); // strerror's text in English, which errnoOf reads
    Process process;
    try {
      process = dd.start();
    } catch (IOException e) {
      throw new HostException("ENOEXEC", write.path() + ": cannot start dd: " + e.getMessage());
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write(value); // at most a page: the pipe takes it even while dd waits in open(2)
    } catch (IOException e) {
      // dd is gone already: its exit says why.
    }
    return new Helper(write, process);
  }

  /** One dd process. */
  private static final class Helper implements KernelWrites.PendingWrite {
    private final RiskyWrite write;
    private final Process process;

    Helper(RiskyWrite write, Process process) {
      this.write = write;
      this.process = process;
    }

    @Override
    public boolean await(long nanos) throws InterruptedException {
      return process.waitFor(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean done() {
      return !process.isAlive();
    }

    @Override
    public void result() {
      if (process.exitValue() == 0) {
        closeError();
        return;
      }
      String reason = reason();
      throw new HostException(FileTree.errnoOf(reason), write.path() + ": " + reason);
    }

    /**
     * dd's last words: "dd: error writing '/sys/...': No such device"; strerror is after the last
     * ": ".
     */
    private String reason() {
      String text;
      try (var err = process.getErrorStream()) {
        text = new String(err.readNBytes(MAX_ERROR_BYTES), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        text = "";
      }
      int cut = text.lastIndexOf(": ");
      return cut >= 0 ? text.substring(cut + 2) : "dd exited " + process.exitValue() + " " + text;
    }

    @Override
    public void abandon() {
      process.destroyForcibly(); // SIGKILL: pending until the kernel lets go of the write
      closeError();
    }

    private void closeError() {
      try {
        process.getErrorStream().close();
      } catch (IOException ignored) {
        // Nothing more is read from it.
      }
    }

    @Override
    public String holder() {
      return "dd pid " + process.pid();
    }

    @Override
    public long pid() {
      return process.pid();
    }
  }
}
