package dev.guesthook.hookapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookFunction;
import dev.guesthook.core.hookhost.HookGlobal;
import dev.guesthook.core.hookhost.HookGlobals;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.core.hookhost.HookScopeContribution;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Events;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site puts its own objects into hooks' scope with a jar of its own, without touching the core.
 */
class SiteContributionTest {
  @TempDir Path base;

  @Test
  void aSitesJarPutsItsObjectsIntoHooksScopeBesideTheDomainsNames() throws Exception {
    Path hooks =
        hookFolder(
            """
        hook('owner') {
          on('pre-start') { ev ->
            log.info "${inventory.ownerOf(ev.vmid)} in ${rackOf(ev.vmid)}: ${ev.situation == Situation.START}, ${config.get('memory').get()}, ${pci.getClass().simpleName}"
          }
        }
        """);
    HookGlobals globals;
    try (URLClassLoader site =
        new URLClassLoader(new URL[] {siteJar().toUri().toURL()}, getClass().getClassLoader())) {
      globals = HookGlobals.discover(site);
    }
    HookCatalog catalog =
        new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(5), globals)
            .load(Optional.empty());
    assertEquals(List.of(), catalog.errors());

    List<String> output = preStart(catalog);

    assertEquals(List.of("team-odd@lab-501 in rack-5: true, 512, PciDevices"), output);
  }

  @Test
  void aNameTheDomainAlreadyGivesIsRefusedAtStartup() {
    HookScopeContribution clash =
        () -> List.of(HookGlobal.property("pci", scope -> "a site's own pci"));

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> HookGlobals.of(List.of(new ProxmoxHookApi(), clash)));

    assertTrue(
        refused
            .getMessage()
            .contains(
                "gives 'pci', which dev.guesthook.hookapi.ProxmoxHookApi already gives;"
                    + " a name in hooks' scope has one owner"),
        refused.getMessage());
  }

  @Test
  void aNameTheCoreGivesIsRefusedAtStartup() {
    HookScopeContribution clash =
        () -> List.of(HookGlobal.function("skip", scope -> (HookFunction) why -> why));

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> HookGlobals.of(List.of(clash)));

    assertTrue(
        refused.getMessage().contains("gives 'skip', which the core (HookContext) already gives"),
        refused.getMessage());
  }

  /**
   * The site's jar: only its service entry; its class is on the test classpath, as a jar's own
   * would be on the runtime's.
   */
  private Path siteJar() throws Exception {
    Path jar = base.resolve("site-inventory.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("META-INF/services/" + HookScopeContribution.class.getName()));
      out.write((SiteInventory.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  private Path hookFolder(String source) throws Exception {
    Path hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path file = hooks.resolve("owner.groovy");
    Files.writeString(file, source);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return hooks;
  }

  private List<String> preStart(HookCatalog catalog) throws Exception {
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    LifecycleEvent event = Events.of("501", Phase.PRE_START);
    List<String> output = new CopyOnWriteArrayList<>();
    PhaseRequest request =
        new PhaseRequest(
            event,
            SimulatedHost.sandbox(root),
            Duration.ofSeconds(5),
            HookLog.Level.INFO,
            (HookLine line) -> output.add(line.text()),
            name -> Map.of(),
            false);
    DispatchResult result =
        Dispatcher.of(catalog.hooks())
            .dispatch(request)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals("ok", result.overall(), result::toString);
    return output;
  }
}
