package dev.guesthook.lock;

import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Named locks held across processes: the one-shot path and the resident runtime must not both hand
 * out the last mdev instance or the same free VF. Each key is a file under the lock folder, locked
 * with {@code fcntl} (what {@link FileChannel#lock} takes); as those locks belong to a process, not
 * a thread, a semaphore per key serialises the threads of one process first. The kernel drops a
 * dead process's locks, so a kill -9 never leaves one behind. The holder's description is written
 * into the file, so a waiter can say who it waits for.
 *
 * <p>The kernel also drops every fcntl lock a process holds on a file when that process closes any
 * descriptor of it: a lock file is opened here only by the thread that takes the lock, or by one
 * that holds the key's semaphore (no thread of this process holds the lock then). Asking who held a
 * lock this process held used to open and close its file, and let another process in while the
 * phase still ran.
 */
public final class Locks {
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9:._-]{0,99}");
  private static final long POLL_MILLIS = 5;

  /** The first line of a lock file nobody holds. */
  private static final byte[] NO_HOLDER = {'\n'};

  private final Path directory;

  /**
   * What serialises this process's threads on a key, while any thread holds or waits for it: an
   * entry goes with its last user, so a resident runtime asked for ever new vmids keeps none.
   * Shared by every instance over the same folder (see {@link #FOLDERS}).
   */
  private final Map<String, Local> inProcess;

  private static final class Local {
    final Semaphore semaphore = new Semaphore(1, true);
    int users; // changed only inside the map's compute, under its lock for the key
  }

  /** The holders of the locks this process holds, by key: told without opening their files. */
  private final Map<String, String> heldHere;

  /** A folder's keys in this process: what its threads wait on, and who holds which. */
  private record InProcess(Map<String, Local> keys, Map<String, String> holders) {}

  /**
   * Each lock folder's state in this process, whichever instance asks. A second instance over the
   * folder with state of its own did not know the first one's locks: asking who held one opened its
   * file, and taking one met Java's OverlappingFileLockException, whose handling closed the file;
   * either close dropped the first one's lock in the kernel, and another process could take the
   * guest while its phase ran. One entry per folder a process locks in (on a node: one).
   */
  private static final Map<Path, InProcess> FOLDERS = new ConcurrentHashMap<>();

  public Locks(Path directory) {
    this.directory = directory;
    InProcess state =
        FOLDERS.computeIfAbsent(
            directory.toAbsolutePath().normalize(),
            folder -> new InProcess(new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
    this.inProcess = state.keys();
    this.heldHere = state.holders();
  }

  /** A held lock; closing it releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes the lock {@code key}, waiting at most {@code timeout}; {@code holder} (e.g. "VM 101
   * pre-start, pid 4242") is what other waiters are told.
   */
  public Held acquire(String key, String holder, Duration timeout) {
    return tryAcquire(key, holder, timeout)
        .orElseThrow(() -> new LockTimeoutException(key, timeout, holderOf(key)));
  }

  /**
   * The same, empty when it is still held by someone else after {@code timeout} (zero: do not
   * wait).
   */
  public Optional<Held> tryAcquire(String key, String holder, Duration timeout) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "lock key '" + key + "': expected lower-case letters, digits and :._-");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Local local = join(key);
    try {
      if (!local.semaphore.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
        leave(key);
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      leave(key);
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    try {
      Optional<Held> held = lockFile(key, holder, deadline, local);
      if (held.isEmpty()) {
        giveBack(key, local);
      }
      return held;
    } catch (IOException | RuntimeException e) {
      giveBack(key, local);
      throw new LockException(
          "cannot lock " + directory.resolve(key + ".lock") + ": " + e.getMessage(), e);
    }
  }

  private Optional<Held> lockFile(String key, String holder, long deadline, Local local)
      throws IOException {
    // Truncated and written as root: never through a link, never in a folder someone else can
    // change.
    FileChannel channel =
        SafeFiles.open(
            directory.resolve(key + ".lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      FileLock lock;
      while ((lock = channel.tryLock()) == null) {
        if (System.nanoTime() > deadline) {
          channel.close();
          return Optional.empty();
        }
        Thread.sleep(POLL_MILLIS);
      }
      // Over whatever line was there, without truncating: a reader takes the first line only.
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      FileLock taken = lock;
      heldHere.put(key, holder);
      return Optional.of(() -> release(key, channel, taken, local));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      channel.close();
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * The holder's line is cleared first (an empty first line: a truncation took four system calls
   * where this takes one); whatever that meets (an I/O error, an Error under memory pressure), the
   * channel is closed, which drops the lock: a lock left held in a resident runtime would refuse
   * the guest's every later phase.
   */
  private void release(String key, FileChannel channel, FileLock lock, Local local) {
    heldHere.remove(key);
    try (channel) {
      channel.write(ByteBuffer.wrap(NO_HOLDER), 0);
      lock.release();
    } catch (IOException e) {
      // Closing the channel drops the lock in any case.
    } finally {
      giveBack(key, local);
    }
  }

  /**
   * What serialises this process's threads on {@code key}, counted as used until {@link #leave}.
   */
  private Local join(String key) {
    return inProcess.compute(
        key,
        (k, local) -> {
          Local joined = local == null ? new Local() : local;
          joined.users++;
          return joined;
        });
  }

  private void leave(String key) {
    inProcess.computeIfPresent(key, (k, current) -> --current.users == 0 ? null : current);
  }

  private void giveBack(String key, Local local) {
    local.semaphore.release();
    leave(key);
  }

  /** How many keys this process holds or waits for (what a test sees of the entries). */
  int keysInUse() {
    return inProcess.size();
  }

  /**
   * Who holds (or last held) the lock, as its holder described itself. When a thread of this
   * process holds it, or is taking it, its file is not opened (see the class comment).
   */
  public String holderOf(String key) {
    Local local = join(key);
    if (!local.semaphore.tryAcquire()) {
      leave(key);
      return heldHere.getOrDefault(key, "another thread of this process");
    }
    try {
      String text = SafeFiles.readString(directory.resolve(key + ".lock")).orElse("");
      String holder = text.lines().findFirst().orElse("").strip();
      return holder.isEmpty() ? "unknown" : holder;
    } catch (IOException e) {
      return "unknown";
    } finally {
      giveBack(key, local);
    }
  }
}
