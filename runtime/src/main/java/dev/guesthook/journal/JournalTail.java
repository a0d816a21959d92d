package dev.guesthook.journal;

import dev.guesthook.id.PciAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a journal holds beyond {@link JournalReader#MAX_BYTES}. Parsing it line by line would cost
 * memory and time in proportion to a file of any size; instead every device its bytes name is held
 * (a streamed scan in overlapping windows), so no size makes a journal let go of a device, and the
 * journal is kept as damaged until a person looks. This is the simplest reading that is safe: it
 * can only hold more than the lines would, never less.
 */
record JournalTail(Set<PciAddress> devices, boolean capped) {
  private static final int WINDOW = 1 << 16;

  /**
   * The 12 characters of an address, each spelled as a 6-byte escape, and room for its boundaries.
   */
  private static final int OVERLAP = 96;

  /**
   * Every function of a PCI segment (256 buses of 32 devices of 8 functions): a guest holds a few,
   * and the cap keeps a crafted journal naming millions at a few MB of memory.
   */
  static final int MAX_DEVICES = 1 << 16;

  /** Scans {@code file} from byte {@code from} to its end. */
  static JournalTail scan(Path file, long from) throws IOException {
    Set<PciAddress> devices = new LinkedHashSet<>();
    byte[] window = new byte[OVERLAP + WINDOW];
    try (SeekableByteChannel in =
        Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      in.position(from);
      int kept = 0;
      for (int read;
          devices.size() < MAX_DEVICES
              && (read = in.read(ByteBuffer.wrap(window, kept, WINDOW))) > 0; ) {
        int filled = kept + read;
        NamedDevices.addTo(devices, window, 0, filled);
        kept = Math.min(OVERLAP, filled);
        System.arraycopy(
            window,
            filled - kept,
            window,
            0,
            kept); // an address across the edge is whole in the next window
      }
    }
    return new JournalTail(devices, devices.size() >= MAX_DEVICES);
  }

  String describe() {
    return "the file is larger than "
        + JournalReader.MAX_BYTES
        + " bytes: read as lines up to here only; every device the"
        + " rest names is held"
        + (capped
            ? " (it names more than " + MAX_DEVICES + ": the first " + MAX_DEVICES + " are)"
            : "");
  }
}
