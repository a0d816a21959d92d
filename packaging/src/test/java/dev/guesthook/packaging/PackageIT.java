package dev.guesthook.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built guesthook_VERSION_all.deb: its control fields, the files it installs with their modes,
 * maintainer scripts that parse, and the runtime starting from the installed layout.
 */
class PackageIT {
  static Path deb;

  @TempDir Path unpacked;

  @BeforeAll
  static void theBuiltPackage() throws Exception {
    Assumptions.assumeTrue(
        run("sh", "-c", "command -v dpkg-deb").exit() == 0,
        "dpkg-deb is not installed, so no package was built: apt-get install dpkg");
    String version = System.getProperty("guesthook.version").replace('-', '~');
    deb =
        Path.of(System.getProperty("guesthook.deb.dir"))
            .resolve("guesthook_" + version + "_all.deb");
    assertTrue(Files.exists(deb), deb + " was built");
  }

  @Test
  void controlFieldsFollowDebianAndNameAJava17Runtime() throws Exception {
    assertEquals(
        "guesthook\nall\nadmin\n",
        run("dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Section")
            .out()
            .replaceAll("(?m)^[A-Za-z-]+: ", ""));
    String depends = run("dpkg-deb", "-f", deb.toString(), "Depends").out();
    assertTrue(depends.contains("default-jre-headless (>= 2:1.17)"), depends);
    assertEquals(
        "/etc/guesthook/guesthook.yaml\n",
        run("sh", "-c", "dpkg-deb --ctrl-tarfile '" + deb + "' | tar -xOf - ./conffiles").out());
  }

  /**
   * Jackson's modules are released together and tested only together: a jackson-core from one
   * release beside a jackson-databind from another is a combination nobody tested.
   */
  @Test
  void everyJacksonJarItShipsIsOfOneRelease() throws Exception {
    List<String> releases =
        run("dpkg-deb", "-c", deb.toString())
            .out()
            .lines()
            .map(line -> line.substring(line.lastIndexOf('/') + 1))
            .filter(jar -> jar.startsWith("jackson-") && jar.endsWith(".jar"))
            .map(jar -> jar.replaceAll("^jackson-[a-z-]+-(\\d+\\.\\d+).*", "$1"))
            .distinct()
            .toList();
    assertEquals(1, releases.size(), "Jackson releases in the package: " + releases);
  }

  @Test
  void itInstallsTheRuntimeHooksUnitsAndTmpfilesWithTheirModes() throws Exception {
    List<String> listing =
        run("dpkg-deb", "-c", deb.toString())
            .out()
            .lines()
            .map(
                line ->
                    line.split("\\s+")[0]
                        + " "
                        + line.split("\\s+")[1]
                        + " "
                        + line.substring(line.indexOf("./") + 1))
            .toList();
    for (String expected :
        List.of(
            "-rwxr-xr-x root/root /usr/bin/guesthook",
            "-rwxr-xr-x root/root /usr/share/guesthook/guesthook-hookscript",
            "-rw-r--r-- root/root /usr/share/guesthook/guesthook-runtime.jar",
            "-rw-r--r-- root/root /usr/share/guesthook/hooks/stock/mdev.groovy",
            "-rw-r--r-- root/root /lib/systemd/system/guesthook.service",
            "-rw-r--r-- root/root /lib/systemd/system/guesthook-reconcile.service",
            "-rw-r--r-- root/root /usr/lib/tmpfiles.d/guesthook.conf",
            "-rw-r--r-- root/root /etc/guesthook/guesthook.yaml",
            "drwxr-xr-x root/root /etc/guesthook/hooks.d/",
            "-rw-r--r-- root/root /usr/share/doc/guesthook/copyright",
            "-rw-r--r-- root/root /usr/share/doc/guesthook/changelog.gz",
            "-rw-r--r-- root/root /usr/share/man/man8/guesthook.8.gz")) {
      assertTrue(listing.contains(expected), expected + " in\n" + String.join("\n", listing));
    }
    assertTrue(
        listing.stream().noneMatch(l -> l.contains("/var/lib/guesthook") || l.contains("/run/")),
        "state is made at install time (postinst, tmpfiles.d), not shipped");
  }

  @Test
  void maintainerScriptsAndTheLauncherParse() throws Exception {
    run("dpkg-deb", "-R", deb.toString(), unpacked.toString());
    for (String script :
        List.of("DEBIAN/postinst", "DEBIAN/prerm", "DEBIAN/postrm", "usr/bin/guesthook")) {
      Path file = unpacked.resolve(script);
      assertTrue(Files.isExecutable(file), script + " is executable");
      assertEquals(0, run("sh", "-n", file.toString()).exit(), script + " parses");
    }
    Path client = unpacked.resolve("usr/share/guesthook/guesthook-hookscript");
    assertTrue(Files.isExecutable(client), "the hookscript client is executable");
    assertEquals(0, run("perl", "-c", client.toString()).exit(), "the hookscript client parses");
    assertTrue(
        Files.readString(unpacked.resolve("usr/share/guesthook/guesthook-hookscript"))
            .contains("env_or('GUESTHOOK_ONESHOT', '/usr/bin/guesthook')"),
        "the client falls back to the installed launcher");
    String reconcile =
        Files.readString(unpacked.resolve("lib/systemd/system/guesthook-reconcile.service"));
    assertTrue(
        reconcile.contains("Before=pve-guests.service"),
        "the boot-time pass runs before Proxmox starts guests");
  }

  @Test
  void theRuntimeStartsFromTheInstalledLayoutAndFindsItsStockHooks() throws Exception {
    run("dpkg-deb", "-x", deb.toString(), unpacked.toString());
    Path home = unpacked.resolve("usr/share/guesthook");
    Result hooks =
        run(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dguesthook.home=" + home,
            "-cp",
            home.resolve("guesthook-runtime.jar").toString(),
            "dev.guesthook.cli.Main",
            "--root",
            unpacked.toString(),
            "hooks");
    assertEquals(0, hooks.exit(), hooks.out());
    for (String hook : List.of("mdev", "sriov-vf", "gpu-release", "hibernate", "pci-mapping")) {
      assertTrue(hooks.out().contains(hook), hook + " is listed:\n" + hooks.out());
    }
  }

  /** The package's Version field and what its runtime says it is are both the pom's version. */
  @Test
  void theInstalledRuntimeSaysThePackagesVersion() throws Exception {
    String pomVersion = System.getProperty("guesthook.version");
    assertEquals(
        pomVersion.replace('-', '~'),
        run("dpkg-deb", "-f", deb.toString(), "Version").out().strip());
    run("dpkg-deb", "-x", deb.toString(), unpacked.toString());
    Path jar = unpacked.resolve("usr/share/guesthook/guesthook-runtime.jar");
    Result version =
        run(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            jar.toString(),
            "dev.guesthook.cli.Main",
            "--version");
    assertEquals(0, version.exit(), version.out());
    assertTrue(version.out().startsWith("guesthook " + pomVersion + " (commit "), version.out());
  }

  /**
   * dpkg into a clean root (an empty status database and the folders every Debian root has), with
   * maintainer scripts run outside a chroot and told where the root is (DPKG_ROOT): the package's
   * files and scripts as dpkg runs them, without touching this machine.
   */
  @Test
  void installedAndPurgedInACleanRootItLeavesNothingBehind() throws Exception {
    Path root = cleanRoot();
    java.util.Set<String> before = tree(root);
    dpkg(root, "-i", deb.toString());
    assertTrue(Files.isExecutable(root.resolve("usr/bin/guesthook")));
    assertEquals(
        "rwx------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(root.resolve("var/lib/guesthook"))),
        "postinst made the state folder, root-only");
    assertTrue(Files.isDirectory(root.resolve("etc/guesthook/hooks.d")));
    dpkg(root, "--purge", "guesthook");
    java.util.Set<String> left = tree(root);
    left.removeAll(before);
    // (dpkg also drops the empty base folders the package lists, as no other package owns them
    // here.)
    assertEquals(java.util.Set.of(), left, "purge leaves nothing the root did not have");
  }

  @Test
  void anUpgradeKeepsTheAdminsHooksRecordingsAndEditedConfiguration() throws Exception {
    Path root = cleanRoot();
    dpkg(root, "-i", deb.toString());
    Files.writeString(root.resolve("etc/guesthook/hooks.d/mine.groovy"), "hook('mine') { }\n");
    Files.createDirectories(root.resolve("var/lib/guesthook/recordings"));
    Files.writeString(root.resolve("var/lib/guesthook/recordings/guesthook.jsonl"), "{}\n");
    Files.writeString(root.resolve("etc/guesthook/guesthook.yaml"), "hook-timeout: 12\n");
    dpkg(
        root,
        "--force-confold",
        "-i",
        deb.toString()); // the same version again: dpkg's upgrade path
    assertEquals(
        "hook('mine') { }\n", Files.readString(root.resolve("etc/guesthook/hooks.d/mine.groovy")));
    assertTrue(Files.exists(root.resolve("var/lib/guesthook/recordings/guesthook.jsonl")));
    assertEquals(
        "hook-timeout: 12\n",
        Files.readString(root.resolve("etc/guesthook/guesthook.yaml")),
        "a conffile");
    dpkg(root, "--purge", "guesthook");
    assertTrue(
        Files.exists(root.resolve("etc/guesthook/hooks.d/mine.groovy")),
        "purge keeps the admin's own hooks");
    assertTrue(Files.notExists(root.resolve("var/lib/guesthook")), "and removes the state");
  }

  @Test
  void lintianFindsNoErrorsOrWarnings() throws Exception {
    Assumptions.assumeTrue(
        run("sh", "-c", "command -v lintian").exit() == 0,
        "lintian is not installed: apt-get install lintian");
    Result lintian = run("lintian", "--tag-display-limit", "0", deb.toString());
    assertTrue(
        lintian.out().lines().noneMatch(line -> line.startsWith("E: ") || line.startsWith("W: ")),
        lintian.out());
  }

  private Path cleanRoot() throws Exception {
    Assumptions.assumeTrue(
        run("id", "-u").out().strip().equals("0"),
        "dpkg installs files as root: run the build as root");
    Path root = unpacked.resolve("root");
    for (String dir :
        List.of(
            "var/lib/dpkg/updates",
            "var/lib/dpkg/info",
            "var/cache",
            "etc",
            "usr/bin",
            "usr/lib",
            "usr/share/doc",
            "lib/systemd/system",
            "run")) {
      Files.createDirectories(root.resolve(dir));
    }
    Files.writeString(root.resolve("var/lib/dpkg/status"), "");
    return root;
  }

  private static void dpkg(Path root, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "dpkg",
                "--root=" + root,
                "--force-script-chrootless",
                "--force-depends",
                "--log=" + root.resolve("var/lib/dpkg/log")));
    argv.addAll(List.of(args));
    Result result = run(argv.toArray(String[]::new));
    assertEquals(0, result.exit(), String.join(" ", argv) + "\n" + result.out());
  }

  /** Every path under the root but dpkg's own database. */
  private static java.util.Set<String> tree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      return walk.map(p -> root.relativize(p).toString())
          .filter(p -> !p.startsWith("var/lib/dpkg"))
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  record Result(int exit, String out) {}

  static Result run(String... argv) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(new ArrayList<>(List.of(argv))).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS));
    return new Result(process.exitValue(), out);
  }
}
