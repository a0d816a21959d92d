package dev.guesthook.hookapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.hookhost.HookGlobal;
import dev.guesthook.core.hookhost.HookGlobals;
import dev.guesthook.core.hookhost.HookScopeContribution;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node adds its own objects to hooks' scope by dropping a jar into {@code
 * /etc/guesthook/hookapi.d}; both launchers see it, since the runtime reads the folder itself. A
 * jar that cannot serve (refused, clashing) is a configuration error naming it: exit 2, nothing
 * done.
 */
class SiteJarsTest {
  @TempDir Path base;

  /** A contribution that would take the domain's {@code pci}: refused with both owners named. */
  public static final class TakesPci implements HookScopeContribution {
    @Override
    public List<HookGlobal> globals() {
      return List.of(HookGlobal.property("pci", scope -> "the site's own pci"));
    }
  }

  /** A contribution that cannot be made: its own words reach the admin, not only the loader's. */
  public static final class FailsToStart implements HookScopeContribution {
    public FailsToStart() {
      throw new IllegalStateException("inventory database unreachable");
    }

    @Override
    public List<HookGlobal> globals() {
      return List.of();
    }
  }

  /** A name a hook cannot write. */
  public static final class BadName implements HookScopeContribution {
    @Override
    public List<HookGlobal> globals() {
      return List.of(HookGlobal.property("my-inventory", scope -> "x"));
    }
  }

  @Test
  void aContributionThatCannotBeMadeSaysWhy() throws Exception {
    HostTree host = hostWithInventoryHook();
    siteJar(host, FailsToStart.class, "rw-r--r--");

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(2, result.exitCode(), result::toString);
    assertTrue(result.err().contains("could not be instantiated"), result::toString);
    assertTrue(
        result.err().contains("IllegalStateException: inventory database unreachable"),
        result::toString);
  }

  @Test
  void aNameAHookCannotWriteIsRefused() throws Exception {
    HostTree host = hostWithInventoryHook();
    siteJar(host, BadName.class, "rw-r--r--");

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(2, result.exitCode(), result::toString);
    assertTrue(
        result.err().contains("gives 'my-inventory', which a hook cannot name"), result::toString);
  }

  @Test
  void aJarInHookapiDGivesHooksItsNames() throws Exception {
    HostTree host = hostWithInventoryHook();
    siteJar(host, SiteInventory.class, "rw-r--r--");

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(result.out().contains("[owner] team-odd@lab-101 in rack-1\n"), result::toString);
  }

  /** check runs a hook's check block with the same names its handlers get. */
  @Test
  void checkBlocksGetTheJarsNamesToo() throws Exception {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 512\n");
    host.hook(
        "owner.groovy",
        "hook('owner') { on('pre-start') { ev -> }\n"
            + "  check { ev -> pass \"owner ${inventory.ownerOf(ev.vmid)}\" } }\n");
    siteJar(host, SiteInventory.class, "rw-r--r--");

    Cli.Result result = Cli.run(HostTree.args(host.options(), "check", "101"));

    assertTrue(result.out().contains("owner team-odd@lab-101"), result::toString);
  }

  @Test
  void aJarWhoseNameClashesIsAConfigurationErrorAndNothingRuns() throws Exception {
    HostTree host = hostWithInventoryHook();
    siteJar(host, TakesPci.class, "rw-r--r--");
    Map<String, String> before = host.snapshot();

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(2, result.exitCode(), result::toString);
    assertTrue(
        result
            .err()
            .contains(
                HookGlobals.SITE_FOLDER
                    + ": hook scope: "
                    + TakesPci.class.getName()
                    + " gives 'pci', which dev.guesthook.hookapi.ProxmoxHookApi already gives"),
        result::toString);
    assertTrue(result.err().contains("fix: correct or remove the jar"), result::toString);
    assertEquals(before, host.snapshot());
  }

  @Test
  void aJarOthersMayWriteIsRefused() throws Exception {
    HostTree host = hostWithInventoryHook();
    Path jar = siteJar(host, SiteInventory.class, "rw-rw-rw-");

    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));

    assertEquals(2, result.exitCode(), result::toString);
    assertTrue(result.err().contains("refused: " + jar), result::toString);
  }

  private HostTree hostWithInventoryHook() {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 512\n");
    host.hook(
        "owner.groovy",
        "hook('owner') { on('pre-start') { ev -> log.info \"${inventory.ownerOf(ev.vmid)} in"
            + " ${rackOf(ev.vmid)}\" } }\n");
    return host;
  }

  /** A jar holding only the service entry; the class is on the runtime's classpath here. */
  private static Path siteJar(HostTree host, Class<?> contribution, String mode) throws Exception {
    Path folder = Files.createDirectories(host.root().resolve(HookGlobals.SITE_FOLDER));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = folder.resolve("site.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/" + HookScopeContribution.class.getName()));
      out.write((contribution.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString(mode));
    return jar;
  }
}
