package dev.guesthook.testsupport;

import dev.guesthook.lock.Locks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Another process holding guesthook's locks (as a one-shot phase does while serve runs): {@code
 * LockHolder <lock folder> <key>...} takes them, prints "held", and lets go when its stdin closes.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws IOException {
    Locks locks = new Locks(Path.of(args[0]));
    List<Locks.Held> held = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      held.add(locks.acquire(args[i], "a test's other process", Duration.ofSeconds(10)));
    }
    System.out.println("held");
    System.out.flush();
    while (System.in.read() >= 0) {
      // Until the test closes our stdin (or kills us).
    }
    held.forEach(Locks.Held::close);
  }

  /** Starts one holding the keys under the folder; returns once they are held. */
  public static Process start(Path folder, List<String> keys) throws IOException {
    List<String> argv = new ArrayList<>(ChildJvm.command(LockHolder.class.getName()));
    argv.add(folder.toString());
    argv.addAll(keys);
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    byte[] line = process.getInputStream().readNBytes("held\n".length());
    if (!new String(line).equals("held\n")) {
      process.destroyForcibly();
      throw new IOException("the lock holder did not take its locks: " + new String(line));
    }
    return process;
  }
}
