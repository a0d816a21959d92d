package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.guesthook.id.VmId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resident runtime's guests share each hook file's class (a class and its Groovy meta class cost
 * about a megabyte; 200 guests loading their own would not fit serve's heap bound), yet each guest
 * gets its own instance of the script, as it would in a process of its own.
 */
class ScriptClassesTest {
  /** Every script instance the hook files below made while being loaded. */
  static final List<Object> LOADED = new CopyOnWriteArrayList<>();

  /** Called by the hook files' bodies as they load. */
  public static void loaded(Object script) {
    LOADED.add(script);
  }

  @TempDir Path base;
  Path hooks;
  Path hookFile;
  HookLoader loader;

  @BeforeEach
  void oneLoaderForEveryGuest() throws Exception {
    LOADED.clear();
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    hookFile = hooks.resolve("counter.groovy");
    write("first");
    loader = new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(5));
  }

  @Test
  void guestsShareAHookFilesClassButEachHasItsOwnScript() {
    HookCatalog first = loader.load(Optional.of(new VmId(101)));
    HookCatalog second = loader.load(Optional.of(new VmId(102)));
    assertEquals(
        List.of("first"), first.hooks().stream().map(h -> h.name()).toList(), first::toString);
    assertEquals(
        List.of("first"), second.hooks().stream().map(h -> h.name()).toList(), second::toString);
    assertEquals(2, LOADED.size());
    assertNotSame(LOADED.get(0), LOADED.get(1));
    assertSame(LOADED.get(0).getClass(), LOADED.get(1).getClass());
  }

  @Test
  void aChangedFileGetsAClassOfItsOwn() throws Exception {
    loader.load(Optional.of(new VmId(101)));
    write("second");
    HookCatalog changed = loader.load(Optional.of(new VmId(102)));
    assertEquals(
        List.of("second"), changed.hooks().stream().map(h -> h.name()).toList(), changed::toString);
    assertNotSame(LOADED.get(0).getClass(), LOADED.get(1).getClass());
  }

  @Test
  void guestFoldersHoldingOneTextShareItsClass() throws Exception {
    writeOwn(101, "own");
    writeOwn(102, "own");
    loader.load(Optional.of(new VmId(101)));
    loader.load(Optional.of(new VmId(102)));
    assertEquals(4, LOADED.size(), LOADED::toString);
    assertSame(ownScripts().get(0).getClass(), ownScripts().get(1).getClass());
    assertNotSame(ownScripts().get(0), ownScripts().get(1));
  }

  @Test
  void guestFoldersHoldingDifferentTextsGetClassesOfTheirOwn() throws Exception {
    writeOwn(101, "own-101");
    writeOwn(102, "own-102");
    HookCatalog second = loader.load(Optional.of(new VmId(102)));
    loader.load(Optional.of(new VmId(101)));
    assertEquals(
        List.of("first", "own-102"),
        second.hooks().stream().map(h -> h.name()).toList(),
        second::toString);
    assertNotSame(ownScripts().get(0).getClass(), ownScripts().get(1).getClass());
  }

  /** The scripts of the per-guest files, in load order. */
  private static List<Object> ownScripts() {
    return LOADED.stream().filter(script -> script.getClass().getName().endsWith("_own")).toList();
  }

  private void writeOwn(int vmid, String hookName) throws Exception {
    Path folder = Files.createDirectories(hooks.resolve(Integer.toString(vmid)));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(folder.resolve("own.groovy"), scriptDeclaring(hookName));
  }

  private static String scriptDeclaring(String hookName) {
    return "dev.guesthook.core.hookhost.ScriptClassesTest.loaded(this)\n"
        + "hook('"
        + hookName
        + "') { on('pre-start') { ev -> log.info 'ran' } }\n";
  }

  private void write(String hookName) throws Exception {
    Files.writeString(hookFile, scriptDeclaring(hookName));
    Files.setLastModifiedTime(hookFile, FileTime.from(Instant.now().plusSeconds(LOADED.size())));
  }
}
