package dev.guesthook.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files of hook folders, listed again only when a folder changed. Adding, removing or renaming
 * a file in a folder sets the folder's change time, which no tool sets back; so while a folder's
 * device, inode and change time are what they were at its last listing, that listing still holds,
 * and one stat replaces the listing's nine system calls (a resident runtime looks at its folders at
 * every phase).
 *
 * <p>Change times are as fine as the kernel's clock tick, or coarser (a second on some file
 * systems): a file added in the same tick as the listing before it leaves the folder's time as it
 * was. A listing is therefore kept only once the time it saw is {@link #SETTLED} older than the
 * listing itself; a folder changed more recently is listed at every look until it settles, as git
 * treats its "racily clean" index entries. It is kept only when the folder was the same before and
 * after it (a hook folder that is a link re-pointed during the listing), and only on the local file
 * systems whose folders' change times keep that promise ({@link #KEEPS_ITS_PROMISE}): pmxcfs (a
 * folder in /etc/pve) never moves a folder's time when a file is added, and a network file system's
 * stat may answer from a cache a minute old, so their folders are listed at every look.
 */
final class FolderListings {
  /** How much older than a listing a folder's change time must be for the listing to be kept. */
  static final Duration SETTLED = Duration.ofSeconds(2);

  /**
   * The file systems (as /proc/mounts names them) where adding, removing or renaming a name moves
   * its folder's change time, which no tool can set: the kernel's own local ones a node's hook
   * folders lie on. Not FUSE (pmxcfs, sshfs), nor NFS or CIFS, nor overlays.
   */
  static final Set<String> KEEPS_ITS_PROMISE =
      Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "tmpfs", "f2fs");

  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;

  /** A folder as one stat saw it. */
  private record Identity(Object device, Object inode, long changedNanos) {}

  /** The folder as one listing saw it, and the names it held. */
  private record Listing(Identity identity, List<Path> files) {}

  private final Duration settled;
  private final Map<Path, Listing> kept = new ConcurrentHashMap<>();

  /** Whether listings are kept on a device: its file system is looked up once. */
  private final Map<Object, Boolean> devices = new ConcurrentHashMap<>();

  FolderListings(Duration settled) {
    this.settled = settled;
  }

  /**
   * The files in {@code folder} that {@code wanted} accepts, sorted; empty when it is not a folder
   * (links followed, as a hook folder may be one). Fails when it cannot be listed.
   */
  Optional<List<Path>> files(Path folder, Predicate<Path> wanted) throws IOException {
    Listing listing = kept.get(folder);
    Optional<Identity> identity = listing == null ? firstLook(folder) : identityOrNone(folder);
    if (identity.isEmpty()) {
      kept.remove(folder);
      return Optional.empty();
    }
    if (listing != null && listing.identity().equals(identity.get())) {
      return Optional.of(listing.files());
    }
    return Optional.of(listed(folder, identity.get(), wanted));
  }

  /** Forgets the listings of the folders {@code gone} accepts: a guest let go, its own folder. */
  void forget(Predicate<Path> gone) {
    kept.keySet().removeIf(gone);
  }

  /**
   * A folder not looked at before is most often one that does not exist (a guest's own hook
   * folder): java.io tells that without the exception NIO throws and catches, which costs more than
   * the stat where the stack is deep.
   */
  private Optional<Identity> firstLook(Path folder) {
    return folder.toFile().isDirectory() ? identityOrNone(folder) : Optional.empty();
  }

  private List<Path> listed(Path folder, Identity before, Predicate<Path> wanted)
      throws IOException {
    long listedAtMillis = System.currentTimeMillis();
    List<Path> files;
    try (Stream<Path> entries = Files.list(folder)) {
      files = entries.filter(wanted).sorted().toList();
    }
    // The stat again last: a folder that has not settled, or whose file system cannot keep the
    // promise (known once per device), is not kept whatever it says.
    if (before.changedNanos() / 1_000_000 < listedAtMillis - settled.toMillis()
        && keepsItsPromise(folder, before)
        && identityOrNone(folder).equals(Optional.of(before))) {
      kept.put(folder, new Listing(before, files));
    } else {
      kept.remove(folder);
    }
    return files;
  }

  private boolean keepsItsPromise(Path folder, Identity identity) {
    return devices.computeIfAbsent(identity.device(), device -> fileSystemKeepsItsPromise(folder));
  }

  private static boolean fileSystemKeepsItsPromise(Path folder) {
    try {
      return KEEPS_ITS_PROMISE.contains(Files.getFileStore(folder).type());
    } catch (IOException | RuntimeException unknown) {
      return false;
    }
  }

  /** The folder's device, inode and change time, in one stat; empty when it is no folder. */
  private static Optional<Identity> identityOrNone(Path folder) {
    try {
      Map<String, Object> stat = Files.readAttributes(folder, "unix:mode,dev,ino,ctime");
      if (((Integer) stat.get("mode") & S_IFMT) != S_IFDIR) {
        return Optional.empty();
      }
      long changed = ((FileTime) stat.get("ctime")).to(TimeUnit.NANOSECONDS);
      return Optional.of(new Identity(stat.get("dev"), stat.get("ino"), changed));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
