package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.install.Installer;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook sandbox create DIR --profile P}: a simulated host to try hooks on. */
@Command(
    name = "sandbox",
    header = "Simulated hosts to try hooks on (sandbox create DIR --profile P [--nodes N]).",
    mixinStandardHelpOptions = true,
    subcommands = {SandboxCommand.Create.class, SandboxCommand.Quorum.class},
    description = {
      "Simulated hosts: a directory laid out like a Proxmox node's /sys and /etc/pve, on which",
      "'guesthook --root DIR --simulate VMID PHASE' runs hooks against a simulated kernel;",
      "with --nodes, a simulated cluster whose nodes share one /etc/pve (pmxcfs)."
    })
final class SandboxCommand {
  @ParentCommand Main main;

  @Command(
      name = "quorum",
      mixinStandardHelpOptions = true,
      description = {
        "Take quorum from nodes of a simulated cluster, or give it back, as a network partition or",
        "a node losing its peers would. A node without quorum sees /etc/pve read-only, as pmxcfs",
        "shows it then: reads work, every write fails with EACCES. Its /etc/pve/.members says",
        "\"quorate\": 0. Phases still run; guesthook stops publishing the node's data until quorum",
        "is back, and 'cluster status' on other nodes shows its data growing old.",
        "",
        "  guesthook sandbox quorum DIR --lose pve3   # pve3 alone loses quorum",
        "  guesthook sandbox quorum DIR --regain      # every node has it again"
      })
  static final class Quorum implements Callable<Integer> {
    @ParentCommand SandboxCommand sandbox;

    @Parameters(
        index = "0",
        paramLabel = "DIR",
        description = "A simulated cluster (sandbox create --nodes).")
    Path dir;

    @ArgGroup(multiplicity = "1")
    Change change;

    static final class Change {
      @Option(names = "--lose", required = true, description = "Take quorum away.")
      boolean lose;

      @Option(names = "--regain", required = true, description = "Give quorum back.")
      boolean regain;
    }

    @Parameters(
        index = "1..*",
        paramLabel = "NODE",
        description = "Only these nodes (default: every node).")
    List<String> only = new ArrayList<>();

    @Override
    public Integer call() {
      Console console = sandbox.main.console;
      try {
        List<String> changed = ClusterSandbox.setQuorum(dir, only, change.regain);
        console
            .out()
            .println(
                (change.regain ? "quorum regained on " : "quorum lost on ")
                    + String.join(" ", changed)
                    + (change.regain ? "" : ": their /etc/pve is read-only (EACCES)"));
        return ExitCodes.OK;
      } catch (IllegalArgumentException e) {
        console.error(e.getMessage());
        return ExitCodes.USAGE;
      } catch (IOException e) {
        console.error("cannot change quorum in " + dir + ": " + e.getMessage());
        return ExitCodes.INTERNAL;
      }
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Write a simulated host into DIR (new or empty).",
        "Profiles:",
        "  gvt-g            Intel UHD 630 with GVT-g mediated devices",
        "  nvidia-vgpu      NVIDIA Tesla T4, mdev-based vGPU types",
        "  nvidia-vgpu-vf   NVIDIA L40S, VF-based vGPU (vGPU 17+)",
        "  sriov-nic        Intel X710, i40e PFs with iavf VFs",
        "  gpu-passthrough  AMD RX 6800 XT shared between host and a VM",
        "  mixed            all of the above, plus hibernating and migrating VMs",
        "",
        "Then, for example:",
        "  guesthook --root DIR --simulate 501 pre-start",
        "  guesthook --root DIR --simulate --dry-run 501 pre-start",
        "",
        "With --nodes N (2 to 16): a simulated cluster. Each node DIR/nodes/pve1, pve2, ... has the",
        "profile's hardware and sees one shared /etc/pve (DIR/pmxcfs) as pmxcfs shows it: per-node",
        "folders /etc/pve/nodes/<node>/, /etc/pve/local -> nodes/<node>, files up to 1 MiB (EFBIG),",
        "read-only without quorum (EACCES; see 'guesthook sandbox quorum'). The profile's guests are",
        "dealt out to the nodes in turn. Then, for example:",
        "  guesthook --root DIR/nodes/pve1 --simulate 101 pre-start",
        "  guesthook --root DIR/nodes/pve2 --simulate cluster status"
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand SandboxCommand sandbox;

    @Parameters(paramLabel = "DIR", description = "Where to write the sandbox.")
    Path dir;

    @Option(
        names = "--profile",
        paramLabel = "PROFILE",
        defaultValue = "mixed",
        description = "Which host to write (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(
        names = "--nodes",
        paramLabel = "N",
        description = "A simulated cluster of N nodes (2 to 16) sharing one /etc/pve.")
    Integer nodes;

    /**
     * The hookscript its guests' configs name ({@code local:snippets/guesthook}), as {@code
     * install} writes it on a node: without it, {@code doctor} on a new sandbox failed every guest.
     */
    private static void placeClient(Path dir) throws IOException {
      Path client = dir.resolve("var/lib/vz/snippets").resolve(Installer.SNIPPET);
      Files.createDirectories(client.getParent());
      // Run by hand, it must never reach the node's own runtime or act on the host: its root is
      // the sandbox's (where a phase without --simulate is refused), whatever the environment.
      String text =
          Installer.clientScript(InstallCommand.oneShot())
              .replace(
                  "my $root = env_or('GUESTHOOK_ROOT', '');",
                  "my $root = env_or('GUESTHOOK_ROOT', '"
                      + Installer.perlQuoted(dir.toAbsolutePath().normalize().toString())
                      + "');");
      Files.writeString(client, text);
      Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Override
    public Integer call() {
      Console console = sandbox.main.console;
      SandboxProfile chosen;
      try {
        chosen = SandboxProfile.parse(profile);
        if (nodes != null) {
          ClusterSandbox.create(dir, chosen, nodes);
          return printCluster(console, chosen);
        }
        Sandbox.create(dir, chosen);
        placeClient(dir);
      } catch (IllegalArgumentException e) {
        console.error(e.getMessage());
        return ExitCodes.USAGE;
      } catch (IOException | RuntimeException e) {
        console.error("cannot create the sandbox in " + dir + ": " + e.getMessage());
        return ExitCodes.INTERNAL;
      }
      if (sandbox.main.options.json) {
        console
            .out()
            .println(
                new JsonObject()
                    .put("sandbox", dir.toAbsolutePath().toString())
                    .put("profile", chosen.id())
                    .put("vms", new JsonArray(Arrays.asList(vms(dir))))
                    .encode());
      } else {
        console.out().println("sandbox " + dir + ": " + chosen.summary());
        console.out().println("VMs: " + String.join(" ", vms(dir)));
        console
            .out()
            .println("try: guesthook --root " + dir + " --simulate " + vms(dir)[0] + " pre-start");
      }
      return ExitCodes.OK;
    }

    private int printCluster(Console console, SandboxProfile chosen) {
      List<String> names = ClusterSandbox.nodeNames(nodes);
      if (sandbox.main.options.json) {
        JsonObject each = new JsonObject();
        names.forEach(
            n ->
                each.put(
                    n,
                    new JsonObject()
                        .put("root", dir.resolve("nodes").resolve(n).toAbsolutePath().toString())
                        .put("vms", new JsonArray(Arrays.asList(vms(dir.resolve("nodes/" + n)))))));
        console
            .out()
            .println(
                new JsonObject()
                    .put("cluster", dir.toAbsolutePath().toString())
                    .put("profile", chosen.id())
                    .put("nodes", each)
                    .encode());
        return ExitCodes.OK;
      }
      console
          .out()
          .println("cluster " + dir + ": " + nodes + " nodes, each with " + chosen.summary());
      for (String n : names) {
        console
            .out()
            .println(
                "  "
                    + n
                    + ": --root "
                    + dir.resolve("nodes").resolve(n)
                    + "  VMs: "
                    + String.join(" ", vms(dir.resolve("nodes/" + n))));
      }
      String first = names.get(0);
      String[] firstVms = vms(dir.resolve("nodes/" + first));
      console
          .out()
          .println(
              "try: guesthook --root "
                  + dir.resolve("nodes").resolve(first)
                  + " --simulate "
                  + (firstVms.length > 0 ? firstVms[0] : "VMID")
                  + " pre-start; then guesthook --root "
                  + dir.resolve("nodes").resolve(names.get(1))
                  + " --simulate cluster status");
      return ExitCodes.OK;
    }

    private static String[] vms(Path dir) {
      try (var files = Files.list(dir.resolve("etc/pve/qemu-server"))) {
        return files
            .map(f -> f.getFileName().toString().replace(".conf", ""))
            .sorted()
            .toArray(String[]::new);
      } catch (IOException e) {
        return new String[0];
      }
    }
  }
}
