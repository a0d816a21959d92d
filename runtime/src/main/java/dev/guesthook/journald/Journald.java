package dev.guesthook.journald;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Sends entries to the systemd journal. journald's native socket takes only datagrams and Java
 * cannot send Unix datagrams (NIO has stream Unix sockets only), so one perl process relays: it
 * reads length-prefixed entries on stdin and sends each as one datagram with perl's built-in Socket
 * (perl is on every Proxmox node; the hookscript client uses it the same way).
 *
 * <p>Logging must never slow or fail a phase: {@link #send} only queues (a full queue drops the
 * entry), a thread of its own starts the relay and feeds it, and a relay that cannot start or that
 * dies costs one warning and the journal entries from then on. The task log has every line anyway.
 */
public final class Journald implements AutoCloseable {
  /** journald's native socket, under the host root. */
  public static final String SOCKET = "run/systemd/journal/socket";

  /** Sends nothing: no journal here, or a dry run. */
  public static final Journald OFF = new Journald(null, warning -> {});

  private static final int QUEUED_ENTRIES = 4096;
  private static final byte[] END = new byte[0];

  /**
   * Reads {@code <4-byte big-endian length><entry>} until EOF; a datagram journald refuses loses
   * that entry only.
   */
  static final String RELAY =
      """
      use strict;
      use Socket;
      socket(my $journal, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
      my $to = pack_sockaddr_un($ARGV[0]);
      binmode STDIN;
      while (read(STDIN, my $head, 4) == 4) {
        my $length = unpack('N', $head);
        last unless read(STDIN, my $entry, $length) == $length;
        send($journal, $entry, 0, $to);
      }
      """;

  private final Path socket;
  private final Consumer<String> warn;
  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_ENTRIES);
  private final AtomicBoolean warnedBehind = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread writer;

  private Journald(Path socket, Consumer<String> warn) {
    this.socket = socket;
    this.warn = warn;
    this.writer = socket == null ? null : new Thread(this::relay, "guesthook-journald");
  }

  /**
   * Entries go to the journal listening at {@code socket} when that is there; otherwise this is
   * {@link #OFF} and nothing is started (one stat: the one-shot path pays nothing else without
   * journald). {@code warn} gets the one warning if the relay cannot start or ends.
   */
  public static Journald at(Path socket, Consumer<String> warn) {
    if (!Files.exists(socket)) {
      return OFF;
    }
    Journald journald = new Journald(socket, warn);
    journald.writer.setDaemon(true); // a relay that is stuck never keeps the process alive
    journald.writer.start();
    return journald;
  }

  /** Whether entries still go anywhere. */
  public boolean isOn() {
    return writer != null && !stopped.get();
  }

  /** Queues the entry and returns at once; dropped if the relay is gone or far behind. */
  public void send(JournalEntry entry) {
    if (!isOn()) {
      return;
    }
    if (!queue.offer(entry.encode()) && !warnedBehind.getAndSet(true)) {
      warn.accept(
          "journald: the relay is behind, some entries are dropped (the task log has every line)");
    }
  }

  private void relay() {
    Process process;
    try {
      process =
          new ProcessBuilder("perl", "-e", RELAY, socket.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      stop(
          "journald: cannot start the relay (perl): "
              + e.getMessage()
              + "; phase lines go to the task log only");
      return;
    }
    try (OutputStream entries = new BufferedOutputStream(process.getOutputStream(), 64 * 1024)) {
      for (byte[] entry = queue.take(); entry != END; entry = queue.take()) {
        entries.write(ByteBuffer.allocate(Integer.BYTES).putInt(entry.length).array());
        entries.write(entry);
        if (queue.isEmpty()) {
          entries.flush(); // a line is in the journal as it is in the task log, not at the next one
        }
      }
    } catch (IOException e) {
      stop(
          "journald: the relay (perl, pid "
              + process.pid()
              + ") ended ("
              + e.getMessage()
              + "); phase lines go to the task log only");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stop(String warning) {
    if (!stopped.getAndSet(true)) {
      queue.clear();
      warn.accept(warning);
    }
  }

  /**
   * Hands what is queued to the relay and closes its input, waiting at most {@code bound}; the
   * relay sends the rest on its own and ends at EOF, so a process about to exit loses no entry and
   * waits for no journald.
   */
  public void close(Duration bound) {
    if (writer == null) {
      return;
    }
    try {
      if (queue.offer(END, bound.toMillis(), TimeUnit.MILLISECONDS)) {
        writer.join(bound.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(1));
  }
}
