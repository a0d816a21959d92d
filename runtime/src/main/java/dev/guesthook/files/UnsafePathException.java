package dev.guesthook.files;

import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** A path guesthook will not write through or trust: its message says why and how to fix it. */
public final class UnsafePathException extends FileSystemException {
  public UnsafePathException(Path path, String reasonAndFix) {
    super(path.toString(), null, reasonAndFix);
  }

  @Override
  public String getMessage() {
    return getFile() + " " + getReason();
  }
}
