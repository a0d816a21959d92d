package dev.guesthook.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Reads a recording one line at a time (each through {@link RecordingCodec}) (never the whole file
 * into memory, nor a line longer than {@link #MAX_LINE_BYTES}). A bad record (a line that is not
 * JSON, such as one torn by a crash, not valid UTF-8, too long, or with an event guesthook cannot
 * replay) is skipped with a warning naming file and line, and counted in {@link #skipped()}; a
 * newer format version is an error, since this guesthook cannot know what it means.
 */
public final class RecordingReader implements Iterator<RecordedEvent>, AutoCloseable {
  /** The recorder rotates a file at 16 MiB, so no record it wrote is longer. */
  public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private final Path file;
  private final BoundedLines lines;
  private final Consumer<String> warn;
  private RecordedEvent next;
  private int lineNumber;
  private int skipped;

  public RecordingReader(Path file, Consumer<String> warn) throws IOException {
    this.file = file;
    this.lines = new BoundedLines(Files.newInputStream(file), MAX_LINE_BYTES);
    this.warn = warn;
  }

  /** How many records so far were bad and skipped (each with a warning). */
  public int skipped() {
    return skipped;
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      BoundedLines.Line line;
      try {
        line = lines.next();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null) {
        return false;
      }
      lineNumber++;
      next = read(line);
    }
    return true;
  }

  @Override
  public RecordedEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    RecordedEvent out = next;
    next = null;
    return out;
  }

  private RecordedEvent read(BoundedLines.Line line) {
    if (line.tooLong()) {
      return skip(
          "line longer than " + MAX_LINE_BYTES / (1024 * 1024) + " MiB (no recorder writes one)");
    }
    try {
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line.bytes())).toString();
      } catch (CharacterCodingException e) {
        return skip("not valid UTF-8");
      }
      return text.isBlank() ? null : parse(text);
    } catch (OutOfMemoryError e) {
      // What it took (its text, its parsed form) is garbage once this returns: the records after
      // it are still read.
      return skip(
          "a record of "
              + line.bytes().length / (1024 * 1024)
              + " MiB takes more memory to read than the heap bound leaves");
    }
  }

  private RecordedEvent parse(String line) {
    try {
      return new RecordedEvent(file, lineNumber, RecordingCodec.read(line), line);
    } catch (RecordingCodec.UnknownVersion e) {
      throw new RecordingException(file + ":" + lineNumber + ": " + e.getMessage());
    } catch (RecordingCodec.Damaged e) {
      return skip(e.getMessage());
    }
  }

  private RecordedEvent skip(String why) {
    skipped++;
    warn.accept(file + ":" + lineNumber + ": " + why + "; skipped");
    return null;
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }

  /**
   * Lines of bytes split at '\n'; a line over the bound is read past without being kept. A line is
   * kept as the pieces it was read in and joined once at its end, so a long line is never copied as
   * it grows.
   */
  static final class BoundedLines implements AutoCloseable {
    /** One line without its '\n'; {@code bytes} is empty when it was too long. */
    record Line(byte[] bytes, boolean tooLong) {}

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final List<byte[]> pieces = new ArrayList<>();
    private int size;
    private int position;
    private int limit;

    BoundedLines(InputStream in, int maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
      pieces.clear();
      size = 0;
      boolean tooLong = false;
      boolean started = false;
      while (fill()) {
        started = true;
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        tooLong = tooLong || size + (position - start) > maxBytes;
        if (!tooLong) {
          pieces.add(Arrays.copyOfRange(buffer, start, position));
          size += position - start;
        } else {
          pieces.clear(); // what was kept of it is garbage now
        }
        if (position < limit) {
          position++; // the '\n'
          return done(tooLong);
        }
      }
      return started ? done(tooLong) : null;
    }

    private Line done(boolean tooLong) {
      if (tooLong) {
        return new Line(new byte[0], true);
      }
      byte[] line = new byte[size];
      int at = 0;
      for (byte[] piece : pieces) {
        System.arraycopy(piece, 0, line, at, piece.length);
        at += piece.length;
      }
      return new Line(line, false);
    }

    /** Whether bytes are left, reading more when the buffer is used up. */
    private boolean fill() throws IOException {
      if (position < limit) {
        return true;
      }
      position = 0;
      limit = Math.max(0, in.read(buffer));
      return limit > 0;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
