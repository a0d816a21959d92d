package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.id.VmId;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade keeps the compiled-hook cache (/var/cache/guesthook) but may move the classes compiled
 * hooks were linked against. An entry compiled by an older guesthook, whose base class no longer
 * exists, is compiled again, not served as a broken hook that aborts every start after the upgrade.
 */
class StaleCacheTest {
  @TempDir Path base;

  @Test
  void anEntryLinkedAgainstClassesThatMovedIsCompiledAgain() throws Exception {
    Path hooks = folder("hooks");
    Files.writeString(
        hooks.resolve("greet.groovy"),
        "hook('greet') { on('pre-start') { ev -> log.info 'hi' } }\n");
    Path cache = base.resolve("cache");
    HookLoader loader = new HookLoader(List.of(hooks), cache, Duration.ofSeconds(5));
    assertEquals(List.of("greet"), names(loader.load(Optional.of(new VmId(101)))));

    Path entry = onlyEntry(cache);
    replaceWithClassOfAnOlderLayout(entry);

    HookCatalog afterUpgrade =
        new HookLoader(List.of(hooks), cache, Duration.ofSeconds(5))
            .load(Optional.of(new VmId(101)));
    assertEquals(List.of("greet"), names(afterUpgrade), afterUpgrade::toString);
    assertTrue(afterUpgrade.notices().isEmpty(), afterUpgrade::toString);
  }

  private Path folder(String name) throws Exception {
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path folder = Files.createDirectories(base.resolve(name));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    return folder;
  }

  private static List<String> names(HookCatalog catalog) {
    return catalog.hooks().stream().map(hook -> hook.name()).toList();
  }

  private static Path onlyEntry(Path cache) throws Exception {
    try (Stream<Path> entries = Files.list(cache)) {
      List<Path> jars = entries.filter(path -> path.toString().endsWith(".jar")).toList();
      assertEquals(1, jars.size(), jars::toString);
      return jars.get(0);
    }
  }

  /**
   * The entry as wave 1 wrote it: the script class extends dev.guesthook.hookhost.HookScript, which
   * is gone.
   */
  private void replaceWithClassOfAnOlderLayout(Path entry) throws Exception {
    Path sources = Files.createDirectories(base.resolve("old/dev/guesthook/hookhost"));
    Files.writeString(
        sources.resolve("HookScript.java"),
        "package dev.guesthook.hookhost; public abstract class HookScript extends groovy.lang.Script {}");
    Path script = base.resolve("old/guesthook_hook_greet.java");
    Files.writeString(
        script,
        "public class guesthook_hook_greet extends dev.guesthook.hookhost.HookScript {"
            + " public Object run() { return null; } }");
    Path classes = Files.createDirectories(base.resolve("old-classes"));
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                sources.resolve("HookScript.java").toString(),
                script.toString());
    assertEquals(0, status);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Guesthook-Script-Class", "guesthook_hook_greet");
    try (OutputStream out = Files.newOutputStream(entry);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.putNextEntry(new JarEntry("guesthook_hook_greet"));
      jar.write(Files.readAllBytes(classes.resolve("guesthook_hook_greet.class")));
      jar.closeEntry();
    }
  }
}
