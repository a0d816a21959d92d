package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook sandbox create DIR --profile P}: a simulated host to try hooks on. */
@Command(
    name = "sandbox",
    header = "Simulated hosts to try hooks on (sandbox create DIR --profile P).",
    mixinStandardHelpOptions = true,
    subcommands = {SandboxCommand.Create.class},
    description = {
      "Simulated hosts: a directory laid out like a Proxmox node's /sys and /etc/pve, on which",
      "'guesthook --root DIR --simulate VMID PHASE' runs hooks against a simulated kernel."
    })
final class SandboxCommand {
  @ParentCommand Main main;

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Write a simulated host into DIR (new or empty). Profiles:",
        "  gvt-g            Intel UHD 630 with GVT-g mediated devices",
        "  nvidia-vgpu      NVIDIA Tesla T4, mdev-based vGPU types",
        "  nvidia-vgpu-vf   NVIDIA L40S, VF-based vGPU (vGPU 17+)",
        "  sriov-nic        Intel X710, i40e PFs with iavf VFs",
        "  gpu-passthrough  AMD RX 6800 XT shared between host and a VM",
        "  mixed            all of the above, plus hibernating and migrating VMs",
        "",
        "Then, for example:",
        "  guesthook --root DIR --simulate 501 pre-start",
        "  guesthook --root DIR --simulate --dry-run 501 pre-start"
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

    @Override
    public Integer call() {
      Console console = sandbox.main.console;
      SandboxProfile chosen;
      try {
        chosen = SandboxProfile.parse(profile);
        Sandbox.create(dir, chosen);
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
