package dev.guesthook.serve;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A phase's answer on its way to the client. The phase's lines are written as they come, by the
 * phase's own thread, under the guest's lock: a client that stops reading (Proxmox's task log
 * stalled, the client stopped) would hold both for as long as it stays so, once the socket's buffer
 * is full. So a write waits at most {@code stall} for the client to take anything; then this stream
 * fails, now and for every later write, and the phase goes on without its client.
 */
final class ClientOutput extends OutputStream {
  private final SocketChannel client;
  private final Duration stall;
  private Selector writable; // made only when the socket's buffer is full: most answers never do
  private boolean givenUp;

  ClientOutput(SocketChannel client, Duration stall) throws IOException {
    this.client = client;
    this.stall = stall;
    client.configureBlocking(false);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    ByteBuffer rest = ByteBuffer.wrap(bytes, offset, length);
    long deadline = System.nanoTime() + stall.toNanos();
    while (rest.hasRemaining()) {
      if (givenUp) {
        throw stalled();
      }
      if (client.write(rest) > 0) {
        deadline = System.nanoTime() + stall.toNanos(); // a client that reads, however slowly
        continue;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        givenUp = true;
        throw stalled();
      }
      awaitWritable(left);
    }
  }

  /** Whether the client was given up on: it took nothing for the stall bound. */
  boolean givenUp() {
    return givenUp;
  }

  private IOException stalled() {
    return new IOException(
        "the client took none of the phase's output for "
            + stall.toMillis() / 1000.0
            + " s; the phase goes on without it");
  }

  private void awaitWritable(long nanos) throws IOException {
    if (writable == null) {
      writable = Selector.open();
      client.register(writable, SelectionKey.OP_WRITE);
    }
    writable.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
    writable.selectedKeys().clear();
    if (Thread.interrupted()) { // a hook abandoned at its timeout is interrupted
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the client was not reading");
    }
  }

  /** Lets go of the selector, if one was made; the connection itself is closed by its owner. */
  @Override
  public void close() throws IOException {
    if (writable != null) {
      writable.close();
    }
  }
}
