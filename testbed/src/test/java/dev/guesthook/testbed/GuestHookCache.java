package dev.guesthook.testbed;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The guest's compiled-hook cache, filled from the host before {@code guesthook serve} starts
 * there, as an upgraded node's cache is already filled: compiling the stock hooks under software
 * emulation took about 90 s of the suite, and what the lifecycle tests check is the phases on the
 * real kernel, not the Groovy compiler (the simulated-host tests compile them on every run). The
 * entries are made by guesthook's own cache, on a simulated host, from the very files and with the
 * class path the guest runs: a cache entry is named by the hash of the hook file's name and text
 * and the Groovy and DSL versions, so these are the entries serve would make, and one that does not
 * match is not used (serve compiles, as before).
 */
final class GuestHookCache {
  /** Where guesthook keeps compiled hooks on a node (its default {@code cache-dir}). */
  static final String GUEST_CACHE = "/var/cache/guesthook/hooks";

  private static final String SHARED = "compiled-hooks";

  private GuestHookCache() {}

  /**
   * Compiles {@code hooks} (a host folder) on a throwaway simulated host and puts the entries into
   * the guest's cache; the entries' names, for {@link #compiledAgainIn}.
   */
  static List<String> fill(TestbedVm vm, Path hooks) throws IOException {
    Path scratch = Files.createTempDirectory("guesthook-testbed-hooks-");
    try {
      TestbedSandbox.create(scratch);
      Cli.Result loaded =
          Cli.run(
              List.of(
                  "--root",
                  scratch.toString(),
                  "--simulate",
                  "--hooks",
                  hooks.toString(),
                  "hooks"));
      if (loaded.exitCode() != 0) {
        throw new IllegalStateException("the stock hooks did not load on the host: " + loaded);
      }
      List<String> entries = copyEntries(scratch.resolve(HostTree.HOOK_CACHE).resolve("hooks"), vm);
      vm.run(
              "mkdir -p -m 700 "
                  + GUEST_CACHE
                  + " && cp /share/"
                  + SHARED
                  + "/*.jar "
                  + GUEST_CACHE
                  + "/")
          .orFail("filling the guest's compiled-hook cache");
      return entries;
    } finally {
      deleteTree(scratch);
    }
  }

  /**
   * The entries the guest's cache holds beyond {@code seeded}: what serve compiled itself, which
   * means the seed did not match (a changed class path or fingerprint) and the suite is slow again.
   */
  static List<String> compiledAgainIn(TestbedVm vm, List<String> seeded) {
    String listed = vm.run("ls " + GUEST_CACHE).orFail("listing the guest's cache").output();
    return listed.lines().filter(name -> name.endsWith(".jar") && !seeded.contains(name)).toList();
  }

  private static List<String> copyEntries(Path cache, TestbedVm vm) throws IOException {
    Path shared = vm.share().resolve(SHARED);
    deleteTree(shared);
    Files.createDirectories(shared);
    try (Stream<Path> entries = Files.list(cache)) {
      List<Path> jars = entries.filter(e -> e.toString().endsWith(".jar")).sorted().toList();
      for (Path jar : jars) {
        Files.copy(jar, shared.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      return jars.stream().map(jar -> jar.getFileName().toString()).toList();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : all.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.delete(path);
      }
    }
  }
}
