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
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * Whether {@code /etc/pve/nodes} has an entry named {@code node} (pmxcfs makes a folder for each
   * member), looked up by name: a listing is capped, and names planted before it would hide it. A
   * link in its place counts: the write then refuses it, saying so.
   */
  boolean hasNodeEntry(NodeName node) throws IOException {
    Optional<Path> nodes = nodes();
    return nodes.isPresent()
        && Files.exists(nodes.get().resolve(node.value()), LinkOption.NOFOLLOW_LINKS);
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
   * (pmxcfs makes it for each member: ENOENT means this host is no member). Every step below {@code
   * /etc/pve/nodes} is taken relative to a folder opened already, none following a link: a peer
   * that swaps a folder for a link between a check and a write finds no write by path to redirect.
   * The one step by path is making the {@code guesthook} folder when it is absent (Java has no
   * mkdirat): at worst an empty folder is made where a swapped link leads, and nothing is written
   * through it, since the folder is then opened without following a link.
   */
  void write(NodeName node, String file, byte[] bytes) throws PublishException {
    try {
      if (simulated) {
        keepPmxcfsRules(bytes.length);
      }
      Path nodes = nodes().orElseThrow(() -> new NoSuchFileException("/etc/pve/nodes"));
      try (SecureDirectoryStream<Path> nodesFolder = openChecked(nodes);
          SecureDirectoryStream<Path> nodeFolder = ownNodeFolder(nodesFolder, node);
          SecureDirectoryStream<Path> folder = guesthookFolder(nodes, node, nodeFolder)) {
        // One name per process: two one-shot phases of the node publishing at once must not write
        // into each other's file; a process that died before its rename left one of its own pid.
        Path beside = Path.of(besideName(file, ProcessHandle.current().pid()));
        deleteIfThere(folder, beside);
        try (SeekableByteChannel out =
            folder.newByteChannel(
                beside,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS))) {
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
        }
        folder.move(beside, folder, Path.of(file));
        removeLeftBehind(folder);
      }
    } catch (IOException e) {
      throw PublishException.of(shown(node, file), e);
    }
  }

  /** The name a process writes {@code file} under before renaming it over. */
  static String besideName(String file, long pid) {
    return "." + file + "." + pid + ".new";
  }

  /** A file written beside by some process: its pid in the name. */
  private static final Pattern BESIDE = Pattern.compile("\\.[a-z.]{1,32}\\.([0-9]{1,10})\\.new");

  /** How many names of this node's folder are looked at for files left behind. */
  private static final int LEFT_BEHIND_BOUND = 256;

  /**
   * Removes the files written beside by processes that are gone (a publish killed before its
   * rename): each would stay in pmxcfs, which every node holds in memory. Only this node's
   * processes write in its folder, so a pid not running here is gone. Bounded: the folder holds a
   * few files.
   */
  private static void removeLeftBehind(SecureDirectoryStream<Path> folder) throws IOException {
    int seen = 0;
    for (Path name : folder) {
      if (++seen > LEFT_BEHIND_BOUND) {
        return;
      }
      Matcher beside = BESIDE.matcher(name.getFileName().toString());
      if (beside.matches() && ProcessHandle.of(Long.parseLong(beside.group(1))).isEmpty()) {
        deleteIfThere(folder, name.getFileName());
      }
    }
  }

  /**
   * {@code /etc/pve/nodes}, opened: the folder {@link #nodes()} checked (the same file), or a
   * failure.
   */
  private static SecureDirectoryStream<Path> openChecked(Path nodes) throws IOException {
    Object checked =
        Files.readAttributes(nodes, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    DirectoryStream<Path> opened = Files.newDirectoryStream(nodes);
    if (!(opened instanceof SecureDirectoryStream<Path> secure)) {
      opened.close();
      throw new IOException(nodes + ": cannot be opened safely on this system; not written");
    }
    if (checked == null || !checked.equals(fileKey(secure))) {
      secure.close();
      throw new IOException(nodes + ": changed while it was opened; not written");
    }
    return secure;
  }

  private static Object fileKey(SecureDirectoryStream<Path> folder) throws IOException {
    return folder.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
  }

  private static SecureDirectoryStream<Path> ownNodeFolder(
      SecureDirectoryStream<Path> nodes, NodeName node) throws IOException {
    try {
      return openFolder(nodes, Path.of(node.value()));
    } catch (NoSuchFileException | NotDirectoryException absent) {
      throw new NoSuchFileException(
          "/etc/pve/nodes/" + node, null, "no such node folder (pmxcfs makes one per member)");
    }
  }

  /** This node's {@code guesthook} folder, opened; made first when it is absent. */
  private static SecureDirectoryStream<Path> guesthookFolder(
      Path nodes, NodeName node, SecureDirectoryStream<Path> nodeFolder) throws IOException {
    Path name = Path.of(FOLDER);
    try {
      return openFolder(nodeFolder, name);
    } catch (NoSuchFileException absent) {
      try {
        Files.createDirectory(nodes.resolve(node.value()).resolve(FOLDER));
      } catch (FileAlreadyExistsException madeMeanwhile) {
        // Opened below as any other.
      }
      return openFolder(nodeFolder, name);
    }
  }

  /** A folder inside {@code parent}, opened; a link in its place is refused, never followed. */
  private static SecureDirectoryStream<Path> openFolder(
      SecureDirectoryStream<Path> parent, Path name) throws IOException {
    try {
      return parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
    } catch (FileSystemException e) {
      if ("ELOOP".equals(errnoOf(e)) || isLink(parent, name)) {
        throw new FileSystemException(
            name.toString(), null, name + " is a symbolic link; not followed");
      }
      throw e;
    }
  }

  private static String errnoOf(FileSystemException e) {
    String reason = String.valueOf(e.getReason());
    return reason.contains("Too many levels of symbolic links") ? "ELOOP" : reason;
  }

  private static boolean isLink(SecureDirectoryStream<Path> parent, Path name) {
    try {
      return parent
          .getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes()
          .isSymbolicLink();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteIfThere(SecureDirectoryStream<Path> folder, Path name)
      throws IOException {
    try {
      folder.deleteFile(name);
    } catch (NoSuchFileException absent) {
      // Nothing left there.
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

  /** Whether this node has quorum now ({@link Members#quorate}). */
  Optional<Boolean> quorate() {
    return members().quorate();
  }

  /** pmxcfs's {@code .members}, read once: a view asks it both who is a member and the quorum. */
  Members members() {
    return new Members(membersFile());
  }

  /** What {@code .members} says; its file empty when it cannot be read. */
  record Members(Optional<JsonNode> file) {
    /**
     * Whether this node has quorum ({@code cluster.quorate}); a node in no cluster (no {@code
     * cluster} in the file) has it. Empty when the file cannot be read.
     */
    Optional<Boolean> quorate() {
      return file.map(
          members ->
              members.path("cluster").isMissingNode()
                  || members.path("cluster").path("quorate").asInt(0) == 1);
    }

    /**
     * The cluster's members ({@code nodelist}), sorted; none on a node in no cluster (its file has
     * no {@code nodelist}). Empty when the file cannot be read. Any node can make a folder in
     * {@code /etc/pve/nodes}; only pmxcfs writes this file.
     */
    Optional<List<String>> names() {
      return file.map(members -> members.path("nodelist"))
          .map(list -> list.isObject() ? sorted(list.fieldNames()) : List.of());
    }
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
