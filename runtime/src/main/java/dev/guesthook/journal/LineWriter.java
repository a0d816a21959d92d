package dev.guesthook.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/** One write(2) of a journal line's bytes: as the disk takes it, or failing as a test asks. */
@FunctionalInterface
interface LineWriter {
  /** Writes some of {@code bytes} (advancing it); how many, as write(2) says. */
  int write(FileChannel file, ByteBuffer bytes) throws IOException;

  /**
   * The plain write, or the injected fault: {@code ENOSPC} (a full disk), {@code short} (a
   * file-size limit).
   */
  static LineWriter of(Optional<String> fault) {
    if (fault.isEmpty()) {
      return FileChannel::write;
    }
    if (fault.get().equals("ENOSPC")) {
      return (file, bytes) -> {
        throw new IOException("No space left on device (injected fault)");
      };
    }
    return new CutShort();
  }

  /**
   * As at a file-size limit: the first write stops half-way and says so; the next is refused
   * (EFBIG).
   */
  final class CutShort implements LineWriter {
    private boolean cut;

    @Override
    public int write(FileChannel file, ByteBuffer bytes) throws IOException {
      if (cut) {
        throw new IOException("File too large (injected fault)");
      }
      cut = true;
      ByteBuffer half = bytes.duplicate();
      half.limit(bytes.position() + bytes.remaining() / 2);
      int written = file.write(half);
      bytes.position(bytes.position() + written);
      return written;
    }
  }
}
