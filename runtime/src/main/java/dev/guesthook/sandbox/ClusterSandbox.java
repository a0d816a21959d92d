package dev.guesthook.sandbox;

import dev.guesthook.files.FolderTree;
import dev.guesthook.host.ClusterShare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A simulated cluster: several node roots that see one shared {@code /etc/pve}, as pmxcfs shows it
 * on every node of a Proxmox cluster.
 *
 * <pre>
 * DIR/.simulator/cluster        the cluster's marker (its nodes and profile)
 * DIR/pmxcfs/                   what every node's /etc/pve shows: storage.cfg, mapping/,
 *                               guesthook/ (per-VM settings), nodes/&lt;node&gt;/qemu-server, lxc, ...
 * DIR/nodes/&lt;node&gt;/            a node: a sandbox of the profile's hardware, whose etc/pve is a view:
 *      etc/pve/&lt;entry&gt;          a link into ../../../../pmxcfs for each shared top-level entry
 *      etc/pve/local             a link to nodes/&lt;node&gt; (pmxcfs's own per-node link)
 *      etc/pve/qemu-server, lxc  links to nodes/&lt;node&gt;/qemu-server, lxc (likewise)
 *      etc/pve/.members          this node's view of the membership, quorum included (pmxcfs's file)
 * </pre>
 *
 * The per-node links and {@code .members} are why a node's {@code /etc/pve} is a folder of links
 * and not one link: pmxcfs answers them per node. The simulated host lets links lead into the
 * shared folder and nowhere else ({@link ClusterShare}). Quorum is a node's own: {@link #setQuorum}
 * takes it from the nodes named (as a partition would) or gives it back.
 */
public final class ClusterSandbox {
  /** A cluster of one is a node; more than this is more than one machine's test needs. */
  public static final int MAX_NODES = 16;

  private ClusterSandbox() {}

  /** The node names {@code create} gives: pve1, pve2, ... */
  public static List<String> nodeNames(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add("pve" + i);
    }
    return names;
  }

  /**
   * Writes a cluster of {@code count} nodes, each with the profile's hardware, into {@code dir}
   * (new or empty). The profile's guests are dealt out to the nodes in turn, by id: a guest lives
   * on one node of a cluster.
   */
  public static void create(Path dir, SandboxProfile profile, int count) throws IOException {
    if (count < 2 || count > MAX_NODES) {
      throw new IllegalArgumentException(
          "--nodes " + count + ": a simulated cluster has 2 to " + MAX_NODES + " nodes");
    }
    Sandbox.requireNewOrEmpty(dir);
    List<String> nodes = nodeNames(count);
    Path shared = dir.resolve(ClusterShare.SHARED_FOLDER);
    Files.createDirectories(shared.resolve("nodes"));
    for (String node : nodes) {
      Path root = dir.resolve("nodes").resolve(node);
      Files.createDirectories(root);
      profile.writeTo(SandboxBuilder.at(root, profile.id()).file("/etc/hostname", node + "\n"));
    }
    shareEtcPve(dir, nodes);
    mapOnEveryNode(dir.resolve(ClusterShare.SHARED_FOLDER).resolve("mapping/pci.cfg"), nodes);
    for (String node : nodes) {
      writeView(dir.resolve("nodes").resolve(node), node, nodes);
    }
    write(
        dir.resolve(ClusterShare.MARKER.toString().substring(1)),
        "profile: " + profile.id() + "\nnodes: " + String.join(" ", nodes) + "\n");
  }

  /**
   * Moves the first node's {@code /etc/pve} into the shared folder (the others hold the same
   * files), each guest's config into the folder of the node it is dealt to.
   */
  private static void shareEtcPve(Path dir, List<String> nodes) throws IOException {
    Path shared = dir.resolve(ClusterShare.SHARED_FOLDER);
    Path first = dir.resolve("nodes").resolve(nodes.get(0)).resolve("etc/pve");
    List<Path> entries;
    try (Stream<Path> list = Files.list(first)) {
      entries = list.sorted().toList();
    }
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (name.equals("qemu-server") || name.equals("lxc")) {
        dealGuests(entry, shared, name, nodes);
      } else {
        Files.move(entry, shared.resolve(name));
      }
    }
    for (String node : nodes) {
      Path nodeFolder = shared.resolve("nodes").resolve(node);
      Files.createDirectories(nodeFolder.resolve("qemu-server"));
      Files.createDirectories(nodeFolder.resolve("lxc"));
      FolderTree.remove(dir.resolve("nodes").resolve(node).resolve("etc/pve"));
    }
  }

  /**
   * The profile maps its devices on its one host; every node has the same hardware, so each gets
   * the entry, as an admin maps a device on each node that has it.
   */
  private static void mapOnEveryNode(Path mappings, List<String> nodes) throws IOException {
    if (!Files.isRegularFile(mappings, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String prefix = "\tmap node=" + SandboxBuilder.HOSTNAME + ",";
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(mappings)) {
      if (line.startsWith(prefix)) {
        for (String node : nodes) {
          out.append("\tmap node=")
              .append(node)
              .append(',')
              .append(line.substring(prefix.length()))
              .append('\n');
        }
      } else {
        out.append(line).append('\n');
      }
    }
    write(mappings, out.toString());
  }

  private static void dealGuests(Path folder, Path shared, String kind, List<String> nodes)
      throws IOException {
    List<Path> configs;
    try (Stream<Path> list = Files.list(folder)) {
      configs = list.sorted().toList();
    }
    for (int i = 0; i < configs.size(); i++) {
      Path target = shared.resolve("nodes").resolve(nodes.get(i % nodes.size())).resolve(kind);
      Files.createDirectories(target);
      Files.move(configs.get(i), target.resolve(configs.get(i).getFileName()));
    }
  }

  /** A node's /etc/pve: links into the shared folder, pmxcfs's per-node links, its .members. */
  private static void writeView(Path root, String node, List<String> nodes) throws IOException {
    Path view = root.resolve("etc/pve");
    Files.createDirectories(view);
    Path shared = root.getParent().getParent().resolve(ClusterShare.SHARED_FOLDER);
    List<String> entries;
    try (Stream<Path> list = Files.list(shared)) {
      entries = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    for (String entry : entries) {
      Files.createSymbolicLink(
          view.resolve(entry), Path.of("../../../..", ClusterShare.SHARED_FOLDER, entry));
    }
    Files.createSymbolicLink(view.resolve("local"), Path.of("nodes", node));
    Files.createSymbolicLink(view.resolve("qemu-server"), Path.of("nodes", node, "qemu-server"));
    Files.createSymbolicLink(view.resolve("lxc"), Path.of("nodes", node, "lxc"));
    write(view.resolve(".members"), members(node, nodes, true));
  }

  /**
   * Takes quorum from the nodes named (all when none is) or gives it back: their {@code
   * /etc/pve/.members} says so, and the simulated pmxcfs refuses their writes while it does.
   * Returns the nodes changed.
   */
  public static List<String> setQuorum(Path dir, List<String> named, boolean quorate)
      throws IOException {
    List<String> nodes = nodesOf(dir);
    List<String> chosen = named.isEmpty() ? nodes : named;
    for (String node : chosen) {
      if (!nodes.contains(node)) {
        throw new IllegalArgumentException(
            "no node '" + node + "' in " + dir + " (its nodes: " + String.join(" ", nodes) + ")");
      }
    }
    for (String node : chosen) {
      write(
          dir.resolve("nodes").resolve(node).resolve("etc/pve/.members"),
          members(node, nodes, quorate));
    }
    return chosen;
  }

  /** The nodes of a cluster sandbox, from its marker; refuses a folder that is not one. */
  public static List<String> nodesOf(Path dir) throws IOException {
    Path marker = dir.resolve(ClusterShare.MARKER.toString().substring(1));
    if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(
          dir + " is not a simulated cluster (no " + ClusterShare.MARKER + ")");
    }
    for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
      if (line.startsWith("nodes: ")) {
        List<String> nodes = List.of(line.substring("nodes: ".length()).trim().split(" "));
        if (nodes.stream().allMatch(n -> n.matches("pve[0-9]{1,2}"))) {
          return nodes;
        }
      }
    }
    throw new IllegalArgumentException(marker + ": no valid 'nodes:' line");
  }

  /** pmxcfs's {@code .members}, as it shows it on {@code node}. */
  static String members(String node, List<String> nodes, boolean quorate) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      list.append(i == 0 ? "" : ",")
          .append(
              String.format(
                  Locale.ROOT,
                  "\n\"%s\": { \"id\": %d, \"online\": %d, \"ip\": \"10.0.0.%d\"}",
                  nodes.get(i),
                  i + 1,
                  quorate || nodes.get(i).equals(node) ? 1 : 0,
                  i + 1));
    }
    return String.format(
        Locale.ROOT,
        "{\n\"nodename\": \"%s\",\n\"version\": 1,\n"
            + "\"cluster\": { \"name\": \"sandbox\", \"version\": 1, \"nodes\": %d, \"quorate\": %d },\n"
            + "\"nodelist\": {%s\n}\n}\n",
        node,
        nodes.size(),
        quorate ? 1 : 0,
        list);
  }

  /** Written beside, then renamed over: a reader never sees half of it. */
  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Path beside = file.resolveSibling("." + file.getFileName() + ".new");
    Files.writeString(beside, text, StandardCharsets.UTF_8);
    Files.move(beside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
