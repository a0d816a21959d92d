import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * hookpath.sh's (h): a resident runtime in Java that does none of a phase's work. Its threads are
 * serve's: one accepts a connection and reads the request line, a phase thread (made as needed,
 * kept a minute) writes "X 0" and closes. Run with serve's JVM flags, it is the floor of any Java
 * runtime shaped like serve behind the client: the JVM's wake-ups and one hand-off, no phase.
 *
 * <p>java [serve's flags] runtime/bench/StandInRuntime.java SOCKET
 */
public final class StandInRuntime {
  private static final byte[] ANSWER = "X 0\n".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    ExecutorService phases =
        new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>());
    try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listening.bind(UnixDomainSocketAddress.of(Path.of(args[0])), 256);
      while (true) {
        SocketChannel peer = listening.accept();
        readLine(peer);
        phases.execute(() -> answer(peer));
      }
    }
  }

  private static void readLine(SocketChannel peer) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(512);
    while (peer.read(buffer) > 0 && buffer.get(buffer.position() - 1) != '\n') {
      if (!buffer.hasRemaining()) {
        return;
      }
    }
  }

  private static void answer(SocketChannel peer) {
    try (peer) {
      peer.write(ByteBuffer.wrap(ANSWER));
    } catch (IOException gone) {
      // The client went: nothing to answer.
    }
  }
}
