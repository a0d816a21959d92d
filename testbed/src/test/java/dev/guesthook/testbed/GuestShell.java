package dev.guesthook.testbed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs shell commands as root in the test bed guest over its virtio-serial control port (QEMU makes
 * it a Unix socket on the host; the guest runs a shell on the other end). Each command is wrapped
 * so the guest answers with its output, then a marker line carrying the exit code.
 */
final class GuestShell implements AutoCloseable {
  /** What a command printed (stdout and stderr together) and how it ended. */
  record Result(int exitCode, String output) {
    Result orFail(String what) {
      if (exitCode != 0) {
        throw new AssertionError(what + " failed in the guest (exit " + exitCode + "):\n" + output);
      }
      return this;
    }
  }

  private final SocketChannel channel;
  private final Selector selector;
  private int sequence;

  private GuestShell(SocketChannel channel) throws IOException {
    this.channel = channel;
    channel.configureBlocking(false);
    this.selector = Selector.open();
    channel.register(selector, SelectionKey.OP_READ);
  }

  static GuestShell connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return new GuestShell(channel);
  }

  /** Runs {@code command} with no stdin; an answer later than {@code timeout} fails the call. */
  Result run(String command, Duration timeout) {
    String marker = "__TB_END_" + (++sequence) + "__";
    String line = "( " + command + " ) </dev/null 2>&1; printf '\\n" + marker + " %s\\n' $?\n";
    try {
      write(line);
      String answer = readUntil("\n" + marker + " ", timeout);
      int end = answer.lastIndexOf("\n" + marker + " ");
      int exit = Integer.parseInt(answer.substring(end + marker.length() + 2).trim());
      return new Result(exit, answer.substring(0, end));
    } catch (IOException e) {
      throw new AssertionError("control channel to the guest failed: " + e.getMessage(), e);
    }
  }

  Result run(String command) {
    return run(command, Duration.ofSeconds(60));
  }

  private void write(String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /**
   * Reads until the marker and the rest of its line arrived. Bytes are kept and decoded whole, so a
   * character split between two reads is not mangled.
   */
  private String readUntil(String marker, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    while (true) {
      String text = received.toString(StandardCharsets.UTF_8);
      int at = text.indexOf(marker);
      if (at >= 0 && text.indexOf('\n', at + marker.length()) >= 0) {
        return text;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException(
            "no answer within " + timeout.toSeconds() + " s; got so far:\n" + text);
      }
      selector.select(Math.max(1, left / 1_000_000));
      selector.selectedKeys().clear();
      buffer.clear();
      if (channel.read(buffer) < 0) {
        throw new IOException("the guest closed the control channel; got so far:\n" + text);
      }
      received.write(buffer.array(), 0, buffer.position());
    }
  }

  @Override
  public void close() throws IOException {
    selector.close();
    channel.close();
  }
}
