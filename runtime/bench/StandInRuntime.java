import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * hookpath.sh's (h) and (i): a resident runtime in Java shaped like serve. Its threads are serve's:
 * one accepts a connection and reads the request line, a phase thread (at most 16 at once, as
 * serve runs them, the rest in line; each kept a minute) answers and closes. Run with serve's JVM
 * flags.
 *
 * <ul>
 *   <li>(h), {@code SOCKET}: it answers "X 0" and does none of a phase's work: the JVM's wake-ups
 *       and one hand-off, the floor of any Java runtime behind the client.
 *   <li>(i), {@code SOCKET ROOT HOOKS REPORT}: before answering, the file work a pre-start of two
 *       hooks makes under guesthook's safety rules, done as plainly as Java allows, and no hook
 *       code: the guest's config read, its settings file and per-guest hook folder looked for, the
 *       hook folder listed and each file looked at, the guest's lock folder looked at (walked from
 *       {@code /} lately and held, as guesthook holds it) and the lock file looked at, opened with
 *       O_NOFOLLOW, locked and its holder line written over the last, the running-guest check (the
 *       pid file looked for), the journal looked for, the hooks' two writes (the sandbox's root and
 *       each component below it looked at without following links: no link may lead out of it),
 *       the recordings' off marker looked for, the recording's line appended the way the lock is
 *       opened and its size looked at (rotation), the holder's line cleared and the lock given
 *       back (the rules as they stand since 5622b2e; before, every folder was walked at every
 *       call and every real location resolved); then the
 *       report's lines as serve sends them (REPORT, what the client printed for serve), the exit
 *       line, and the recording synced after the answer, as serve syncs it. What serve spends
 *       above (i) is its layers: Groovy, the engine, the recording's JSON.
 * </ul>
 *
 * <p>java [serve's flags] runtime/bench/StandInRuntime.java SOCKET [ROOT HOOKS REPORT]
 */
public final class StandInRuntime {
  private static final byte[] EXIT_OK = "X 0\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ONE = "1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STARTED = "started".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NO_HOLDER = {'\n'};

  public static void main(String[] args) throws IOException {
    Phase phase = args.length == 4 ? new RulesFileWork(args) : peer -> EXIT_OK;
    // As serve: at most 16 phases at once, the rest waiting in line, idle threads ending after a
    // minute.
    ThreadPoolExecutor phases =
        new ThreadPoolExecutor(16, 16, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    phases.allowCoreThreadTimeOut(true);
    try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listening.bind(UnixDomainSocketAddress.of(Path.of(args[0])), 256);
      while (true) {
        SocketChannel peer = listening.accept();
        String vmid = vmidOf(readLine(peer));
        phases.execute(() -> answer(peer, phase, vmid));
      }
    }
  }

  /** What a phase does before its answer, and the answer. */
  private interface Phase {
    byte[] run(String vmid) throws IOException;

    default void afterAnswer() throws IOException {}
  }

  private static String readLine(SocketChannel peer) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(512);
    while (peer.read(buffer) > 0 && buffer.get(buffer.position() - 1) != '\n') {
      if (!buffer.hasRemaining()) {
        break;
      }
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
  }

  /** "guesthook/1 VMID PHASE FROM": the vmid, digits only, as serve checks it. */
  private static String vmidOf(String request) {
    String[] words = request.trim().split(" ");
    return words.length > 1 && words[1].matches("[0-9]{1,9}") ? words[1] : "0";
  }

  private static void answer(SocketChannel peer, Phase phase, String vmid) {
    try (peer) {
      peer.write(ByteBuffer.wrap(phase.run(vmid)));
    } catch (IOException failed) {
      // The client went, or the work failed: (i)'s runs then show as failed calls.
    }
    try {
      phase.afterAnswer();
    } catch (IOException failed) {
      // Not the client's concern, as serve's sync after the answer is not.
    }
  }

  /** (i): a pre-start's file work under the safety rules, plainly. */
  private static final class RulesFileWork implements Phase {
    private final Path root;
    private final Path hooks;
    private final byte[] answer;
    private final Path recording;
    private final ThreadLocal<FileChannel> toSync = new ThreadLocal<>();

    RulesFileWork(String[] args) throws IOException {
      root = Path.of(args[1]);
      hooks = Path.of(args[2]);
      StringBuilder lines = new StringBuilder();
      for (String line : Files.readAllLines(Path.of(args[3]))) {
        lines.append("L ").append(line).append('\n');
      }
      answer = (lines + "X 0\n").getBytes(StandardCharsets.UTF_8);
      recording = root.resolve("var/lib/guesthook/recordings/stand-in/pre-start.jsonl");
      Files.createDirectories(recording.getParent());
      Files.createDirectories(root.resolve("run/guesthook/locks"));
    }

    @Override
    public byte[] run(String vmid) throws IOException {
      long seen = readUnderRules("etc/pve/qemu-server/" + vmid + ".conf");
      seen += lookedFor(root.resolve("etc/guesthook/vm/" + vmid + ".yaml"));
      seen += lookedFor(hooks.resolve(vmid));
      seen += hookFolderLookedAt(hooks);
      try (FileChannel lockFile =
          openUnderRules(root.resolve("run/guesthook/locks/" + vmid), StandardOpenOption.READ)) {
        FileLock lock = lockFile.lock();
        lockFile.write(ByteBuffer.wrap(("stand-in " + vmid + " pre-start\n").getBytes()), 0);
        seen += lookedFor(root.resolve("run/qemu-server/" + vmid + ".pid"));
        seen += lookedFor(root.resolve("var/lib/guesthook/journal/" + vmid + ".jsonl"));
        seen += writeUnderRules("sys/a/attr", ONE);
        seen += writeUnderRules("sys/b/attr", ONE);
        if (Files.isDirectory(hooks.resolve(vmid), LinkOption.NOFOLLOW_LINKS)) {
          // hookpath.sh's (e): the guest's own hook writes "started" for it.
          seen += writeUnderRules("sys/vm/" + vmid, STARTED);
        }
        seen += lookedFor(recording.resolveSibling(".off"));
        FileChannel line = openUnderRules(recording, StandardOpenOption.APPEND);
        line.write(ByteBuffer.wrap(recordingLine(vmid, seen)));
        seen += line.size(); // the rotation's look at the size
        toSync.set(line);
        lockFile.write(ByteBuffer.wrap(NO_HOLDER), 0);
        lock.release();
      }
      return answer;
    }

    @Override
    public void afterAnswer() throws IOException {
      try (FileChannel line = toSync.get()) {
        toSync.remove();
        if (line != null) {
          line.force(false);
        }
      }
    }

    /** About as long as serve's line of this phase, built as plainly. */
    private static byte[] recordingLine(String vmid, long seen) {
      StringBuilder line = new StringBuilder(900);
      line.append("{\"vmid\":").append(vmid).append(",\"phase\":\"pre-start\",\"seen\":");
      line.append(seen).append(",\"hooks\":[");
      for (String h : new String[] {"a", "b"}) {
        line.append("{\"hook\":\"write-").append(h).append("\",\"status\":\"OK\",\"interactions\":");
        line.append("[{\"op\":\"write\",\"path\":\"/sys/").append(h).append("/attr\",\"value\":\"1\"}]");
        line.append(",\"undo\":[]},");
      }
      while (line.length() < 880) {
        line.append(' ');
      }
      return line.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A hook's write: the root and each component below it looked at without following links
     * first (no link may lead out of the sandbox).
     */
    private long writeUnderRules(String path, byte[] value) throws IOException {
      long seen = componentsLookedAt(path);
      try (FileChannel channel =
          FileChannel.open(
              root.resolve(path),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING,
              LinkOption.NOFOLLOW_LINKS)) {
        return seen + channel.write(ByteBuffer.wrap(value));
      }
    }

    private long readUnderRules(String path) throws IOException {
      long seen = componentsLookedAt(path);
      Path file = root.resolve(path);
      seen += Files.isRegularFile(file) ? 1 : 0;
      return seen + Files.readString(file).length();
    }

    /** The sandbox's root followed, and each component below it looked at without following. */
    private long componentsLookedAt(String path) throws IOException {
      long seen = Files.readAttributes(root, BasicFileAttributes.class).size();
      Path current = root;
      try {
        for (String segment : path.split("/")) {
          current = current.resolve(segment);
          seen +=
              Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                  .size();
        }
      } catch (NoSuchFileException toBeMade) {
        // a file the write makes (a guest's first): where its folder really is decides, as in
        // guesthook
        seen += root.resolve(path).getParent().toRealPath().getNameCount();
      }
      return seen;
    }

    private static long lookedFor(Path file) {
      return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
    }

    private static long hookFolderLookedAt(Path hooks) throws IOException {
      long seen = 0;
      try (Stream<Path> files = Files.list(hooks)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (file.toString().endsWith(".groovy")) {
            seen += Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis();
          }
        }
      }
      return seen;
    }

    /**
     * Opened for writing as the lock and the recording are: the folder (walked whole lately, held)
     * and the file looked at, no link followed, made if absent.
     */
    private static FileChannel openUnderRules(Path file, StandardOpenOption mode)
        throws IOException {
      Files.readAttributes(file.getParent(), "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
      try {
        Files.readAttributes(file, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException toBeMade) {
        // the first phase of a guest
      }
      return FileChannel.open(
          file,
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          mode,
          LinkOption.NOFOLLOW_LINKS);
    }
  }
}
