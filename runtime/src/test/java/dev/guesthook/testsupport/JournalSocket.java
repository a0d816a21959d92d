package dev.guesthook.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A journal socket as journald has it: a Unix datagram socket, bound by python3 (Java cannot bind
 * one), that hands every datagram back to the test parsed as a native-protocol entry.
 */
public final class JournalSocket implements AutoCloseable {
  private static final String RECEIVER =
      String.join(
          "\n",
          "import base64, socket, sys",
          "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
          "s.bind(sys.argv[1])",
          "print('bound', flush=True)",
          "while True:",
          "    print(base64.b64encode(s.recv(1 << 20)).decode(), flush=True)",
          "");

  private final Process process;
  private final List<Map<String, String>> entries = new ArrayList<>();
  private final List<String> malformed = new ArrayList<>();

  private JournalSocket(Process process) {
    this.process = process;
  }

  /** Binds {@code path} and returns once it is there. */
  public static JournalSocket bind(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    Process process =
        new ProcessBuilder("python3", "-c", RECEIVER, path.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    JournalSocket socket = new JournalSocket(process);
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    if (!"bound".equals(out.readLine())) {
      process.destroyForcibly();
      throw new IOException("python3 could not bind " + path);
    }
    Thread reader = new Thread(() -> socket.read(out), "journal-socket");
    reader.setDaemon(true);
    reader.start();
    return socket;
  }

  private void read(BufferedReader out) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        byte[] datagram = Base64.getDecoder().decode(line);
        synchronized (this) {
          try {
            entries.add(parse(datagram));
          } catch (RuntimeException e) {
            malformed.add(e.getMessage() + ": " + new String(datagram, StandardCharsets.UTF_8));
          }
          notifyAll();
        }
      }
    } catch (IOException e) {
      // The receiver was stopped.
    }
  }

  /**
   * The entries received so far, once one matches {@code last}; fails after 10 s or on a malformed
   * datagram.
   */
  public synchronized List<Map<String, String>> entriesUntil(Predicate<Map<String, String>> last)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (malformed.isEmpty()
        && entries.stream().noneMatch(last)
        && System.nanoTime() < deadline) {
      wait(100);
    }
    if (!malformed.isEmpty()) {
      throw new AssertionError("not a journal entry: " + malformed);
    }
    if (entries.stream().noneMatch(last)) {
      throw new AssertionError("no such entry within 10 s; received: " + entries);
    }
    return List.copyOf(entries);
  }

  /**
   * journald's native protocol, read strictly: {@code KEY=value\n}, or {@code KEY\n}, a 64-bit
   * little-endian length, that many bytes and {@code \n}. Anything else is not an entry.
   */
  static Map<String, String> parse(byte[] datagram) {
    Map<String, String> fields = new LinkedHashMap<>();
    int at = 0;
    while (at < datagram.length) {
      int newline = at;
      while (newline < datagram.length && datagram[newline] != '\n') {
        newline++;
      }
      if (newline == datagram.length) {
        throw new IllegalArgumentException("a field without its newline at byte " + at);
      }
      String line = new String(datagram, at, newline - at, StandardCharsets.UTF_8);
      int equals = line.indexOf('=');
      if (equals > 0) {
        fields.put(line.substring(0, equals), line.substring(equals + 1));
        at = newline + 1;
        continue;
      }
      long length =
          ByteBuffer.wrap(datagram, newline + 1, Long.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN)
              .getLong();
      int value = newline + 1 + Long.BYTES;
      if (length < 0
          || value + length >= datagram.length
          || datagram[value + (int) length] != '\n') {
        throw new IllegalArgumentException(
            "binary field " + line + " of length " + length + " does not end in a newline");
      }
      fields.put(line, new String(datagram, value, (int) length, StandardCharsets.UTF_8));
      at = value + (int) length + 1;
    }
    return fields;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
