package dev.guesthook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A throwaway host for tests: a root tree (etc/hostname, guest configs, sysfs attributes as plain
 * files) and a hook folder beside it. {@link #snapshot()} captures every file's content and mode so
 * a test can prove that a failed or refused run changed nothing.
 */
public final class HostTree {
  /** guesthook's own compile cache; it is not part of the host a hook acts on. */
  public static final String HOOK_CACHE = "var/cache/guesthook";

  /** guesthook's own bookkeeping under a host root: left out of snapshots. */
  public static final java.util.List<String> OWN =
      java.util.List.of(
          HOOK_CACHE,
          "var/lib/guesthook/recordings",
          // a cluster node's ring of events, kept for the next publish like a recording
          "var/lib/guesthook/cluster",
          "run/guesthook/locks",
          ".simulator/locks");

  /**
   * guesthook's folders whose files do count: a journal left behind is a change a test must see.
   */
  static final java.util.List<String> OWN_FOLDERS = java.util.List.of("var/lib/guesthook/journal");

  private final Path root;
  private final Path hooks;

  private HostTree(Path base) {
    this.root = base.resolve("root");
    this.hooks = base.resolve("hooks");
  }

  public static HostTree create(Path base) {
    HostTree tree = new HostTree(base);
    tree.file("etc/hostname", "pve-test\n");
    try {
      Files.createDirectories(tree.hooks);
      Files.setPosixFilePermissions(tree.hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tree;
  }

  public Path root() {
    return root;
  }

  public Path hooks() {
    return hooks;
  }

  /** Writes a file under the root, making its folders. */
  public HostTree file(String relative, String content) {
    write(root.resolve(relative), content, "rw-r--r--");
    return this;
  }

  /** A qemu guest config at etc/pve/qemu-server/<vmid>.conf. */
  public HostTree vm(int vmid, String config) {
    return file("etc/pve/qemu-server/" + vmid + ".conf", config);
  }

  /** A hook file in the hook folder with a safe mode (0644, or 0755 for executables). */
  public Path hook(String name, String source) {
    Path file = hooks.resolve(name);
    write(file, source, name.endsWith(".groovy") ? "rw-r--r--" : "rwxr-xr-x");
    return file;
  }

  public String read(String relative) {
    try {
      return Files.readString(root.resolve(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Global options that point the CLI at this tree and its hook folder only. */
  public List<String> options() {
    return List.of("--root", root.toString(), "--hooks", hooks.toString());
  }

  /**
   * Every file, link and folder under the root except guesthook's own cache and recordings: path ->
   * mode and content, or link target.
   */
  public Map<String, String> snapshot() {
    return snapshotOf(root);
  }

  /**
   * guesthook's compile cache and recordings (and the folders leading to them) are not the host
   * hooks act on.
   */
  private static boolean isGuesthooksOwn(String relative, boolean directory) {
    if (directory
        && OWN_FOLDERS.stream()
            .anyMatch(own -> own.equals(relative) || own.startsWith(relative + "/"))) {
      return true;
    }
    for (String own : OWN) {
      if (relative.equals(own) || relative.startsWith(own + "/")) {
        return true;
      }
      if (directory && !relative.isEmpty() && own.startsWith(relative + "/")) {
        return true;
      }
    }
    return false;
  }

  /** A sandbox as hooks and the kernel see it: its snapshot without the test's own fault list. */
  public static Map<String, String> sandboxSnapshotOf(Path root) {
    Map<String, String> tree = new TreeMap<>(snapshotOf(root));
    tree.remove(".simulator/faults.json");
    return tree;
  }

  /** The paths whose content two snapshots disagree on, each as {@code path: before -> after}. */
  public static List<String> differences(Map<String, String> before, Map<String, String> after) {
    Set<String> paths = new TreeSet<>(before.keySet());
    paths.addAll(after.keySet());
    return paths.stream()
        .filter(path -> !Objects.equals(before.get(path), after.get(path)))
        .map(path -> path + ": " + before.get(path) + " -> " + after.get(path))
        .toList();
  }

  /** The same for any host root, e.g. a sandbox. */
  public static Map<String, String> snapshotOf(Path root) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        String relative = root.relativize(path).toString();
        if (isGuesthooksOwn(relative, Files.isDirectory(path))) {
          continue;
        }
        if (Files.isSymbolicLink(path)) {
          files.put(relative, "-> " + Files.readSymbolicLink(path));
          continue;
        }
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        files.put(relative, mode + (Files.isRegularFile(path) ? " " + content(path) : " dir"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /**
   * A file's text; a file that is not UTF-8 (a damaged journal, say) as its bytes, so it is
   * compared exactly too.
   */
  private static String content(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException notText) {
      return "bytes " + java.util.HexFormat.of().formatHex(bytes);
    }
  }

  private static void write(Path file, String content, String mode) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<String> args(List<String> options, String... rest) {
    List<String> all = new ArrayList<>(options);
    all.addAll(List.of(rest));
    return all;
  }
}
