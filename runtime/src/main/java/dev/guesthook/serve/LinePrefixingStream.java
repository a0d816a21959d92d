package dev.guesthook.serve;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The answer's framing: writes each line of a phase's output as {@code L <line>}, so the hookscript
 * client tells output from the final {@code X <code>}.
 */
final class LinePrefixingStream extends OutputStream {
  private static final byte[] PREFIX = {'L', ' '};
  private final OutputStream target;
  private boolean atLineStart = true;

  LinePrefixingStream(OutputStream target) {
    this.target = target;
  }

  @Override
  public void write(int b) throws IOException {
    if (atLineStart) {
      target.write(PREFIX);
      atLineStart = false;
    }
    target.write(b);
    if (b == '\n') {
      atLineStart = true;
    }
  }

  /** Whole runs of a line at once: the PrintStream hands over its encoded text in arrays. */
  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    int end = offset + length;
    while (offset < end) {
      if (atLineStart) {
        target.write(PREFIX);
        atLineStart = false;
      }
      int stop = offset;
      while (stop < end && bytes[stop] != '\n') {
        stop++;
      }
      if (stop < end) {
        stop++; // the newline belongs to this line
        atLineStart = true;
      }
      target.write(bytes, offset, stop - offset);
      offset = stop;
    }
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }
}
