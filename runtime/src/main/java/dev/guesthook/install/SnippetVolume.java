package dev.guesthook.install;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.Storage;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hookscript volume as Proxmox names it, {@code <storage>:snippets/<file>}: the storage id as
 * pve-storage's {@code parse_storage_id} takes it, and a plain file name (no folder, no dot names).
 */
public record SnippetVolume(String storage, String file) {
  private static final Pattern STORAGE = Pattern.compile("[a-z][a-z0-9\\-_.]*[a-z0-9]");
  private static final Pattern VOLUME = Pattern.compile("([^:]+):snippets/([^/]+)");

  public SnippetVolume {
    if (!STORAGE.matcher(storage).matches()) {
      throw new IllegalArgumentException(
          "invalid storage id '"
              + Printable.of(storage)
              + "': expected a pve-storage id like local or cephfs-1");
    }
    if (!file.matches("[A-Za-z0-9][A-Za-z0-9._+-]*") || file.length() > 200) {
      throw new IllegalArgumentException("invalid snippet name '" + Printable.of(file) + "'");
    }
  }

  /** {@code local:snippets/hook.pl}; refused with the value when it is not a snippet volume. */
  public static SnippetVolume parse(String volume) {
    Matcher m = VOLUME.matcher(volume.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + Printable.of(volume) + "' is not a snippet volume (<storage>:snippets/<file>)");
    }
    return new SnippetVolume(m.group(1), m.group(2));
  }

  /**
   * Where a snippet named {@code file} lives on {@code storage} (a storage with a path), under the
   * host root.
   */
  static Path fileOn(Path root, Storage storage, String file) {
    return root.resolve(storage.path().orElseThrow().replaceFirst("^/+", ""))
        .resolve("snippets")
        .resolve(file);
  }

  @Override
  public String toString() {
    return storage + ":snippets/" + file;
  }
}
