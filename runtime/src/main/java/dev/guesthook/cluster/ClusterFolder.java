package dev.guesthook.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.ClusterShare;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * guesthook's files in the cluster file system: {@code /etc/pve/nodes/<node>/guesthook/<file>}
 * under a root. Node names are checked before they become paths; below {@code /etc/pve/nodes} no
 * link is followed (each folder and file is opened without following one), and {@code nodes} itself
 * must lie in {@code /etc/pve} (on a simulated cluster's node: in the shared tree, where its link
 * leads). Every read is bounded. Files are written beside and renamed over, so a reader on any node
 * sees a whole version. On a sandbox the rules pmxcfs keeps on a node are kept here: a file larger
 * than 1 MiB is refused with EFBIG, and every write with EACCES while the node has no quorum
 * (pmxcfs's {@code dcdb_send_fuse_message} answers -EACCES when it cannot send the change to a
 * quorate cluster).
 */
final class ClusterFolder {
  /** pmxcfs's {@code MEMDB_MAX_FILE_SIZE}: a larger write fails with EFBIG. */
  static final int PMXCFS_MAX_FILE = 1024 * 1024;

  /** How much of {@code .members} is read: a few hundred bytes a node. */
  private static final int MEMBERS_BOUND = 64 * 1024;

  static final String FOLDER = "guesthook";

  /**
   * How long a read may take: a peer can put a FIFO where its file was between the check and the
   * open (opening it blocks until someone writes), and a hung pmxcfs blocks every read.
   */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

  private final Path root;
  private final boolean simulated;
  private final Duration answerWithin;
  private final UnaryOperator<Path> opening;

  private ClusterFolder(
      Path root, boolean simulated, Duration answerWithin, UnaryOperator<Path> opening) {
    this.root = root;
    this.simulated = simulated;
    this.answerWithin = answerWithin;
    this.opening = opening;
  }

  /** The cluster file system of the host at {@code root}; pmxcfs's rules kept here on a sandbox. */
  static ClusterFolder under(Path root) {
    return new ClusterFolder(
        root, SandboxMarker.isSandbox(root), ANSWER_WITHIN, UnaryOperator.identity());
  }

  /**
   * For tests: this folder with reads bounded to {@code answerWithin}, each opening what {@code
   * opening} makes of the path it checked (a file swapped between the check and the open).
   */
  ClusterFolder readingWithin(Duration answerWithin, UnaryOperator<Path> opening) {
    return new ClusterFolder(root, simulated, answerWithin, opening);
  }

  private Path etcPve() {
    return ClusterShare.MOUNT.under(root);
  }

  /**
   * {@code /etc/pve/nodes} where it really is; empty when this host is in no cluster file system.
   */
  Optional<Path> nodes() throws IOException {
    Path nodes = etcPve().resolve("nodes");
    if (!Files.isDirectory(nodes)) {
      return Optional.empty();
    }
    Path real = nodes.toRealPath();
    Path realEtcPve = etcPve().toRealPath();
    Optional<Path> shared = ClusterShare.of(root.toRealPath());
    if (!real.startsWith(realEtcPve) && !shared.map(real::startsWith).orElse(false)) {
      throw new IOException(
          etcPve().resolve("nodes") + ": leads out of /etc/pve (to " + real + "); not followed");
    }
    return Optional.of(real);
  }

  /** The names in {@code /etc/pve/nodes}, as they are (checked by the caller). */
  List<String> nodeEntries() throws IOException {
    Optional<Path> nodes = nodes();
    if (nodes.isEmpty()) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(nodes.get())) {
      return list.map(p -> p.getFileName().toString()).sorted().limit(1024).toList();
    }
  }

  /** Where a node's file is, shown in messages as the node shows it. */
  static String shown(NodeName node, String file) {
    return "/etc/pve/nodes/" + node + "/" + FOLDER + "/" + file;
  }

  /**
   * A node's file, read to at most {@code bound} bytes: empty when absent; fails naming what is
   * wrong (a link, not a regular file, larger than the bound).
   */
  Optional<byte[]> read(NodeName node, String file, int bound) throws IOException {
    Optional<Path> nodes = nodes();
    if (nodes.isEmpty()) {
      return Optional.empty();
    }
    Path folder = nodes.get().resolve(node.value()).resolve(FOLDER);
    if (!isRealFolder(nodes.get().resolve(node.value())) || !isRealFolder(folder)) {
      return Optional.empty();
    }
    Path path = folder.resolve(file);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(
          attributes.isSymbolicLink() ? "a symbolic link; not followed" : "not a regular file");
    }
    return Optional.of(within(() -> readBounded(opening.apply(path), bound)));
  }

  private static byte[] readBounded(Path path, int bound) throws IOException {
    try (FileChannel channel =
            FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        InputStream in = Channels.newInputStream(channel)) {
      byte[] bytes = in.readNBytes(bound + 1);
      if (bytes.length > bound) {
        throw new IOException("larger than " + bound + " bytes; not read");
      }
      return bytes;
    }
  }

  /** A read that may block. */
  private interface Read {
    byte[] bytes() throws IOException;
  }

  /**
   * {@code read} done on a daemon thread and waited for {@link #answerWithin}: a read blocked for
   * good (a FIFO opened, pmxcfs hung) costs that file and one idle thread, never the reader.
   */
  private byte[] within(Read read) throws IOException {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                answer.complete(read.bytes());
              } catch (IOException | RuntimeException e) {
                answer.completeExceptionally(e);
              }
            },
            "guesthook-cluster-read");
    reader.setDaemon(true);
    reader.start();
    try {
      return answer.get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      reader.interrupt();
      throw new IOException(
          "did not answer in "
              + BigDecimal.valueOf(answerWithin.toMillis(), 3).stripTrailingZeros().toPlainString()
              + " s (a FIFO in its place? pmxcfs hung?); not read");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading");
    }
  }

  /** A folder in its own right: a link in its place is never followed. */
  private static boolean isRealFolder(Path folder) throws IOException {
    if (Files.isSymbolicLink(folder)) {
      throw new IOException(folder.getFileName() + " is a symbolic link; not followed");
    }
    return Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Replaces this node's file whole: written beside, then renamed over it. Fails with the errno
   * pmxcfs would give (EACCES without quorum, EFBIG over 1 MiB), or the node's folder missing
   * (pmxcfs makes it for each member: ENOENT means this host is no member).
   */
  void write(NodeName node, String file, byte[] bytes) throws PublishException {
    try {
      if (simulated) {
        keepPmxcfsRules(bytes.length);
      }
      Path nodes = nodes().orElseThrow(() -> new NoSuchFileException("/etc/pve/nodes"));
      Path nodeFolder = nodes.resolve(node.value());
      if (!isRealFolder(nodeFolder)) {
        throw new NoSuchFileException(
            "/etc/pve/nodes/" + node, null, "no such node folder (pmxcfs makes one per member)");
      }
      Path folder = nodeFolder.resolve(FOLDER);
      if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(folder);
      }
      isRealFolder(folder);
      // One name per process: two one-shot phases of the node publishing at once must not write
      // into each other's file; a process that died before its rename left one of its own pid.
      Path beside = folder.resolve("." + file + "." + ProcessHandle.current().pid() + ".new");
      Files.deleteIfExists(beside);
      try (FileChannel out =
          FileChannel.open(
              beside,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        out.write(ByteBuffer.wrap(bytes));
      }
      Files.move(beside, folder.resolve(file), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw PublishException.of(shown(node, file), e);
    }
  }

  private void keepPmxcfsRules(int size) throws IOException {
    if (!quorate().orElse(true)) {
      throw new AccessDeniedException("/etc/pve", null, "Permission denied");
    }
    if (size > PMXCFS_MAX_FILE) {
      throw new FileSystemException("/etc/pve", null, "File too large");
    }
  }

  /**
   * Whether this node has quorum, as pmxcfs's {@code .members} says ({@code cluster.quorate}); a
   * node in no cluster (no {@code cluster} in it) has it. Empty when the file cannot be read.
   */
  Optional<Boolean> quorate() {
    return membersFile()
        .map(
            file ->
                file.path("cluster").isMissingNode()
                    || file.path("cluster").path("quorate").asInt(0) == 1);
  }

  /**
   * The cluster's members, as pmxcfs's {@code .members} lists them ({@code nodelist}), sorted; none
   * on a node in no cluster (its file has no {@code nodelist}). Empty when the file cannot be read.
   * Any node can make a folder in {@code /etc/pve/nodes}; only pmxcfs writes this file.
   */
  Optional<List<String>> members() {
    return membersFile()
        .map(file -> file.path("nodelist"))
        .map(list -> list.isObject() ? sorted(list.fieldNames()) : List.of());
  }

  private static List<String> sorted(Iterator<String> names) {
    List<String> all = new ArrayList<>();
    names.forEachRemaining(all::add);
    return all.stream().sorted().toList();
  }

  private Optional<JsonNode> membersFile() {
    Path members = etcPve().resolve(".members");
    try {
      if (!Files.isRegularFile(members, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      byte[] bytes = within(() -> readBounded(members, MEMBERS_BOUND));
      return Optional.of(Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  /** Names in {@code /etc/pve/nodes} that {@code members} lacks: how many, and a few of them. */
  record Strangers(long count, List<String> some) {}

  /** How many names are looked at: a peer can make any number of folders. */
  private static final int STRANGERS_COUNTED = 100_000;

  Strangers strangers(Set<String> members, int shown) throws IOException {
    Optional<Path> nodes = nodes();
    if (nodes.isEmpty()) {
      return new Strangers(0, List.of());
    }
    try (Stream<Path> list = Files.list(nodes.get())) {
      List<String> all =
          list.limit(STRANGERS_COUNTED)
              .map(p -> p.getFileName().toString())
              .filter(name -> !members.contains(name))
              .toList();
      return new Strangers(all.size(), all.stream().sorted().limit(shown).toList());
    }
  }
}
