package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook folder's listing is kept while the folder is unchanged, and every change to its names is
 * seen at the next look, however soon after the listing it came.
 */
class FolderListingsTest {
  /** Short, so that a test can wait for a folder to settle. */
  static final Duration SETTLED = Duration.ofMillis(100);

  @TempDir Path base;
  Path folder;
  final AtomicInteger listed = new AtomicInteger();

  /** Accepts every file, and counts how many the listings looked at. */
  final Predicate<Path> everyFile =
      file -> {
        listed.incrementAndGet();
        return true;
      };

  @BeforeEach
  void aFolderWithOneFile() throws Exception {
    folder = Files.createDirectories(base.resolve("hooks"));
    Files.writeString(folder.resolve("a.groovy"), "a");
  }

  /**
   * A folder's change time moves at most once a clock tick: a file added in the tick of the listing
   * leaves it as it was. Twenty folders, each listed and added to at once: a listing kept on an
   * unchanged time alone misses most of the additions.
   */
  @Test
  void aFileAddedRightAfterAListingIsSeenAtTheNextLook() throws Exception {
    FolderListings listings = new FolderListings(FolderListings.SETTLED);
    for (int round = 0; round < 20; round++) {
      Path fresh = Files.createDirectories(base.resolve("fresh-" + round));
      Files.writeString(fresh.resolve("a.groovy"), "a");
      assertEquals(1, listings.files(fresh, everyFile).orElseThrow().size());
      Files.writeString(fresh.resolve("b.groovy"), "b");

      assertEquals(2, listings.files(fresh, everyFile).orElseThrow().size(), "round " + round);
    }
  }

  @Test
  void aSettledFolderIsNotListedAgainUntilItsNamesChange() throws Exception {
    FolderListings listings = settledListings();
    int before = listed.get();
    assertEquals(names("a.groovy"), listings.files(folder, everyFile));
    assertEquals(names("a.groovy"), listings.files(folder, everyFile));
    assertEquals(before, listed.get(), "the listing kept");

    Files.writeString(folder.resolve("b.groovy"), "b");
    assertEquals(names("a.groovy", "b.groovy"), listings.files(folder, everyFile));
  }

  @Test
  void aFileRemovedOrRenamedInASettledFolderIsSeen() throws Exception {
    FolderListings listings = settledListings();
    Files.move(folder.resolve("a.groovy"), folder.resolve("c.groovy"));
    assertEquals(names("c.groovy"), listings.files(folder, everyFile));

    settle(listings);
    Files.delete(folder.resolve("c.groovy"));
    assertEquals(names(), listings.files(folder, everyFile));
  }

  @Test
  void aSettledFolderReplacedByAnotherOfTheSameTimeIsListedAnew() throws Exception {
    FolderListings listings = settledListings();
    Path other = Files.createDirectories(base.resolve("other"));
    Files.writeString(other.resolve("z.groovy"), "z");
    Files.setLastModifiedTime(other, Files.getLastModifiedTime(folder));
    Files.move(folder, base.resolve("old"));
    Files.move(other, folder);

    assertEquals(names("z.groovy"), listings.files(folder, everyFile));
  }

  @Test
  void aFolderThatIsGoneOrAFileIsNoFolder() throws Exception {
    FolderListings listings = settledListings();
    Files.move(folder, base.resolve("old"));
    assertEquals(Optional.empty(), listings.files(folder, everyFile));

    Files.writeString(folder, "not a folder");
    assertEquals(Optional.empty(), listings.files(folder, everyFile));
  }

  @Test
  void aFolderThatIsALinkIsFollowedAndItsNewTargetListed() throws Exception {
    Path first = folder;
    Path second = Files.createDirectories(base.resolve("second"));
    Files.writeString(second.resolve("s.groovy"), "s");
    Path link = Files.createSymbolicLink(base.resolve("link"), first);
    FolderListings listings = new FolderListings(SETTLED);
    Thread.sleep(2 * SETTLED.toMillis());
    assertEquals(List.of(link.resolve("a.groovy")), listings.files(link, everyFile).orElseThrow());

    Files.delete(link);
    Files.createSymbolicLink(link, second);
    assertEquals(List.of(link.resolve("s.groovy")), listings.files(link, everyFile).orElseThrow());
  }

  /**
   * A file system whose folders' times do not move with their names (pmxcfs: /etc/pve; network file
   * systems, whose stat may come from a cache) is listed at every look. procfs stands in for them:
   * it is on every Linux, and its folders' times stay as they were made.
   */
  @Test
  void aFolderOnAFileSystemWithoutThePromiseIsListedAtEveryLook() throws Exception {
    FolderListings listings = new FolderListings(SETTLED);
    Path proc = Path.of("/proc/self");
    Thread.sleep(2 * SETTLED.toMillis());
    listings.files(proc, everyFile);
    int once = listed.get();
    listings.files(proc, everyFile);

    assertTrue(once > 0 && listed.get() >= 2 * once - 2, "listed again: " + once + ", " + listed);
  }

  /** Listings whose folder has settled and been listed, so that its listing is kept. */
  private FolderListings settledListings() throws Exception {
    FolderListings listings = new FolderListings(SETTLED);
    settle(listings);
    return listings;
  }

  private void settle(FolderListings listings) throws Exception {
    Thread.sleep(2 * SETTLED.toMillis());
    listings.files(folder, everyFile);
  }

  private Optional<List<Path>> names(String... names) {
    return Optional.of(List.of(names).stream().map(folder::resolve).toList());
  }
}
