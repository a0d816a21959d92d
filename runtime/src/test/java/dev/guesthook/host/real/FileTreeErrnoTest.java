package dev.guesthook.host.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a hook sees when a real store says no: the errno, not a blanket EIO. */
class FileTreeErrnoTest {
  /**
   * A refused write(2) reaches Java as a plain IOException carrying strerror's text. /dev/full refuses
   * every write with ENOSPC, as an exhausted mdev type does; before this was read, every refused sysfs
   * store (EINVAL, EEXIST, EBUSY, ENOSPC ...) came out as EIO on a real host.
   */
  @Test
  void aRefusedWriteKeepsItsErrno() {
    FileTree root = new FileTree(Path.of("/"));
    HostException refused = assertThrows(HostException.class, () -> root.write(HostPath.parse("/dev/full"), "1"));
    assertEquals("ENOSPC", refused.errno());
    assertTrue(refused.getMessage().contains("/dev/full: No space left on device"), refused.getMessage());
  }
}
