package dev.guesthook.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * Reads a recording one line at a time (never the whole file into memory). A line that is not JSON,
 * such as one torn by a crash, is skipped with a warning naming file and line; a newer format version
 * is an error, since this guesthook cannot know what it means.
 */
public final class RecordingReader implements Iterator<RecordedEvent>, AutoCloseable {
  private final Path file;
  private final BufferedReader reader;
  private final Consumer<String> warn;
  private RecordedEvent next;
  private int lineNumber;

  public RecordingReader(Path file, Consumer<String> warn) throws IOException {
    this.file = file;
    this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    this.warn = warn;
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      String line;
      try {
        line = reader.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null) {
        return false;
      }
      lineNumber++;
      if (!line.isBlank()) {
        next = parse(line);
      }
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

  private RecordedEvent parse(String line) {
    JsonNode doc;
    try {
      doc = RecordingFormat.JSON.readTree(line);
    } catch (IOException e) {
      warn.accept(file + ":" + lineNumber + ": not a complete record (torn by a crash?); skipped");
      return null;
    }
    if (!RecordingFormat.FORMAT.equals(doc.path("format").asText())) {
      warn.accept(file + ":" + lineNumber + ": not a guesthook record; skipped");
      return null;
    }
    int version = doc.path("version").asInt(-1);
    if (version != RecordingFormat.VERSION) {
      throw new RecordingException(file + ":" + lineNumber + ": recording format version " + version
          + (version > RecordingFormat.VERSION ? " is newer than" : " is not") + " the one this guesthook reads ("
          + RecordingFormat.VERSION + ")");
    }
    return new RecordedEvent(file, lineNumber, doc);
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
