package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.id.VmId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled-hook cache (/var/cache/guesthook) gains an entry for every hook text it compiles;
 * one whose text changed is never asked for again. Without pruning, an author editing hooks on a
 * test node, or configuration management rewriting one, fills root's disk a few KB at a time.
 */
class CacheUpkeepTest {
  private static final String FORTY_DAYS_AGO_ENTRY = "a".repeat(64) + ".jar";

  @TempDir Path base;
  Path hooks;
  Path cache;

  @BeforeEach
  void folders() throws Exception {
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    cache = base.resolve("cache");
  }

  @Test
  void entriesNoLoadUsedFor30DaysGoWhenAHookIsCompiledAndOthersStay() throws Exception {
    hook("greet", "hi");
    load();
    Path greet = onlyEntry();
    Path stale = plant(FORTY_DAYS_AGO_ENTRY, Duration.ofDays(40));
    Path leftOverTemp = plant("b".repeat(64) + "123456.tmp", Duration.ofDays(2));
    Path writing = plant("c".repeat(64) + "987.tmp", Duration.ofMinutes(1));
    Path notTheCaches = plant("notes.txt", Duration.ofDays(400));

    hook("greet", "hello"); // a changed text: compiled, and the cache pruned
    load();

    assertFalse(Files.exists(stale), "an entry no load used for 40 days");
    assertFalse(Files.exists(leftOverTemp), "a dead writer's temp file");
    assertTrue(Files.exists(greet), "the old text's entry, used today, stays until it is 30 days");
    assertTrue(Files.exists(writing), "a writer's temp file of a minute ago");
    assertTrue(Files.exists(notTheCaches), "a file the cache did not write");
    assertEquals(2, entries().size(), entries()::toString);
  }

  @Test
  void aLoadFromTheCacheKeepsItsEntry() throws Exception {
    hook("greet", "hi");
    load();
    Path greet = onlyEntry();
    ageBy(greet, Duration.ofDays(40));

    load(); // served from the cache: the entry is in use
    hook("other", "there"); // a compile, which prunes
    load();

    assertTrue(Files.exists(greet), "an entry a load used today");
    assertTrue(
        Files.getLastModifiedTime(greet).toInstant().isAfter(Instant.now().minusSeconds(60)),
        "its time moved to the load");
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedEntriesGoFirst() throws Exception {
    Files.createDirectories(cache);
    int planted = CacheUpkeep.MAX_ENTRIES + 3;
    for (int i = 0; i < planted; i++) {
      plant(String.format("%064x.jar", i), Duration.ofMinutes(planted - i)); // 0 is the oldest
    }
    hook("greet", "hi");
    load();

    List<String> left = entries();
    assertEquals(CacheUpkeep.MAX_ENTRIES, left.size());
    for (int gone = 0; gone < 4; gone++) {
      assertFalse(left.contains(String.format("%064x.jar", gone)), "entry " + gone);
    }
    assertTrue(left.contains(String.format("%064x.jar", 4)));
  }

  /**
   * Entries written while the clock ran ahead would never age; with the cache full of them, each
   * new entry was the least recently used and went as soon as it was written, so every phase
   * compiled its hooks again.
   */
  @Test
  void entriesDatedAheadAreNotKeptAndTheEntryJustCompiledStays() throws Exception {
    Files.createDirectories(cache);
    for (int i = 0; i < CacheUpkeep.MAX_ENTRIES + 4; i++) {
      plant(String.format("%064x.jar", i), Duration.ofDays(-1000));
    }
    hook("greet", "hi");
    load();

    assertEquals(1, entries().size(), "the entry just compiled, and none dated ahead");
    assertEquals(1, load().cached(), "the next load is served from the cache");
  }

  private void hook(String name, String says) throws Exception {
    Path file = hooks.resolve(name + ".groovy");
    Files.writeString(
        file, "hook('" + name + "') { on('pre-start') { ev -> log.info '" + says + "' } }\n");
  }

  private HookCatalog load() throws Exception {
    HookCatalog catalog =
        new HookLoader(List.of(hooks), cache, Duration.ofSeconds(5))
            .load(Optional.of(new VmId(101)));
    assertTrue(catalog.notices().isEmpty(), catalog::toString);
    return catalog;
  }

  private Path plant(String name, Duration age) throws Exception {
    Path file = Files.writeString(cache.resolve(name), "x");
    ageBy(file, age);
    return file;
  }

  private static void ageBy(Path file, Duration age) throws Exception {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
  }

  private Path onlyEntry() throws Exception {
    List<String> entries = entries();
    assertEquals(1, entries.size(), entries::toString);
    return cache.resolve(entries.get(0));
  }

  private List<String> entries() throws Exception {
    try (Stream<Path> files = Files.list(cache)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".jar"))
          .sorted()
          .toList();
    }
  }
}
