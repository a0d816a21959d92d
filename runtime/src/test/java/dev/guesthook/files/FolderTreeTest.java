package dev.guesthook.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder removed with all it holds: links inside go, what they name stays. */
class FolderTreeTest {
  @TempDir Path base;

  @Test
  void aLinkInsideIsRemovedAndWhatItNamesStays() throws Exception {
    Path driver = Files.createDirectories(base.resolve("drivers/vfio-pci"));
    Files.writeString(driver.resolve("new_id"), "10de 1db4");
    Path device = Files.createDirectories(base.resolve("devices/0000:01:00.0/sub"));
    Files.writeString(device.resolve("config"), "x");
    Files.createSymbolicLink(device.getParent().resolve("driver"), driver);

    FolderTree.remove(device.getParent());

    assertFalse(Files.exists(device.getParent(), LinkOption.NOFOLLOW_LINKS));
    assertEquals("10de 1db4", Files.readString(driver.resolve("new_id")));
  }

  @Test
  void aLinkAsTheTopIsRemovedNotFollowed() throws Exception {
    Path kept = Files.createDirectories(base.resolve("kept"));
    Files.writeString(kept.resolve("file"), "x");
    Path link = Files.createSymbolicLink(base.resolve("link"), kept);

    FolderTree.remove(link);

    assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(kept.resolve("file")));
  }

  @Test
  void anAbsentFolderIsNothingToDo() throws Exception {
    FolderTree.remove(base.resolve("absent"));

    assertTrue(Files.isDirectory(base));
  }
}
