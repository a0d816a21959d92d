package dev.guesthook.serve;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A phase's answer on its way to the client. The phase's lines are written as they come, by the
 * phase's own thread, under the guest's lock: a client that stops reading (Proxmox's task log
 * stalled, the client stopped) would hold both for as long as it stays so, once the socket's buffer
 * is full. So the phase waits for its client {@code stall} at most over the whole answer (a client
 * that reads a byte now and then cannot stretch it); then this stream fails, now and for every
 * later write, and the phase goes on without its client. Proxmox reads a hookscript's output as it
 * comes: its client never makes a phase wait that long.
 */
final class ClientOutput extends OutputStream {
  private final SocketChannel client;
  private final Duration stall;
  private long waitedNanos; // for the client, over the whole answer
  private Selector writable; // made only when the socket's buffer is full: most answers never do
  private boolean closed;
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
    while (rest.hasRemaining()) {
      if (givenUp) {
        throw stalled();
      }
      if (client.write(rest) > 0) {
        continue;
      }
      long left = stall.toNanos() - waitedNanos;
      if (left <= 0) {
        givenUp = true;
        throw stalled();
      }
      long start = System.nanoTime();
      try {
        awaitWritable(left);
      } finally {
        waitedNanos += System.nanoTime() - start;
      }
    }
  }

  private IOException stalled() {
    return new IOException(
        "the client left the phase's output unread for "
            + stall.toMillis() / 1000.0
            + " s; the phase goes on without it");
  }

  private void awaitWritable(long nanos) throws IOException {
    try {
      Selector selector = selector();
      selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
      selector.selectedKeys().clear();
    } catch (ClosedSelectorException closed) { // the answer was ended meanwhile, by another thread
      throw new IOException("the answer has ended", closed);
    }
    if (Thread.interrupted()) { // a hook abandoned at its timeout is interrupted
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the client was not reading");
    }
  }

  /** Made once, and never after {@link #close}: a selector is a descriptor until closed. */
  private synchronized Selector selector() throws IOException {
    if (closed) {
      throw new IOException("the answer has ended");
    }
    if (writable == null) {
      writable = Selector.open();
      client.register(writable, SelectionKey.OP_WRITE);
    }
    return writable;
  }

  /**
   * Lets go of the selector, if one was made, waking a write waiting on it (an abandoned hook's
   * thread may still print); the connection itself is closed by its owner.
   */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (writable != null) {
      writable.close();
    }
  }
}
