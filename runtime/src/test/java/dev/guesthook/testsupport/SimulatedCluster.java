package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster simulated on this machine ({@code sandbox create DIR --nodes 3 --profile mixed}: its
 * shared {@code DIR/pmxcfs}, node roots {@code DIR/nodes/pveN}) and commands run on its nodes with
 * {@code --simulate} and any further global {@code options}.
 */
public record SimulatedCluster(Path dir, List<String> options) {
  /** Three nodes, pve1..pve3, each the mixed profile's hardware. */
  public static SimulatedCluster create(Path dir) {
    Cli.Result created =
        Cli.run(List.of("sandbox", "create", dir.toString(), "--nodes", "3", "--profile", "mixed"));
    assertEquals(0, created.exitCode(), created::toString);
    return new SimulatedCluster(dir, List.of());
  }

  /** The same cluster, its commands run with these global options too (such as --hooks DIR). */
  public SimulatedCluster with(String... more) {
    List<String> all = new ArrayList<>(options);
    all.addAll(List.of(more));
    return new SimulatedCluster(dir, List.copyOf(all));
  }

  public Cli.Result on(String node, String... args) {
    return on(node, Map.of(), args);
  }

  public Cli.Result on(String node, Map<String, String> environment, String... args) {
    List<String> all =
        new ArrayList<>(List.of("--root", dir.resolve("nodes/" + node).toString(), "--simulate"));
    all.addAll(options);
    all.addAll(List.of(args));
    return Cli.run(environment, all);
  }

  /** A file of the shared tree, as every node's /etc/pve shows it. */
  public Path pmxcfs(String path) {
    return dir.resolve("pmxcfs").resolve(path);
  }

  /** Proxmox moves a migrated guest's config to the target node's folder. */
  public void moveConfig(String vmid, String from, String to) throws IOException {
    Files.move(
        pmxcfs("nodes/" + from + "/qemu-server/" + vmid + ".conf"),
        pmxcfs("nodes/" + to + "/qemu-server/" + vmid + ".conf"));
  }

  /**
   * VM 501 starts and stops on pve1, then starts on pve2 with {@code PVE_MIGRATED_FROM=pve1} (its
   * config moved there), as Proxmox runs an offline migration's phases.
   */
  public SimulatedCluster migrated501() throws IOException {
    for (String phase : List.of("pre-start", "post-stop")) {
      Cli.Result ran = on("pve1", "501", phase);
      assertEquals(0, ran.exitCode(), ran::toString);
    }
    moveConfig("501", "pve1", "pve2");
    Cli.Result start = on("pve2", Map.of("PVE_MIGRATED_FROM", "pve1"), "501", "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    return this;
  }
}
