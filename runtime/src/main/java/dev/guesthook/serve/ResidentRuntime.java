package dev.guesthook.serve;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The resident runtime's front door: a Unix domain socket (mode 0600) that takes one {@link PhaseCall}
 * per connection from the hookscript client, refuses peers of another uid than its own (SO_PEERCRED),
 * and streams the phase's output back. Different VMs' requests run in parallel.
 */
public final class ResidentRuntime implements AutoCloseable {
  /** Runs one phase, writing its task-log lines to {@code out}; completes with the exit code. */
  @FunctionalInterface
  public interface PhaseRunner {
    int run(PhaseCall call, PrintStream out) throws Exception;
  }

  private final Path socket;
  private final PhaseRunner runner;
  private final Consumer<String> log;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "guesthook-request");
    t.setDaemon(true);
    return t;
  });
  private ServerSocketChannel server;
  private Thread acceptor;
  private volatile String ownUser;

  public ResidentRuntime(Path socket, PhaseRunner runner, Consumer<String> log) {
    this.socket = socket;
    this.runner = runner;
    this.log = log;
  }

  public void start() throws IOException {
    Files.createDirectories(socket.getParent());
    Files.deleteIfExists(socket); // a socket left by a runtime that was killed
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    acceptor = new Thread(this::acceptLoop, "guesthook-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.accept("guesthook serve: listening on " + socket);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        workers.execute(() -> serve(client));
      } catch (IOException e) {
        if (server.isOpen()) {
          log.accept("guesthook serve: accept failed: " + e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    // Buffered: the channel's stream is one write(2) per call, and the prefixing stream is fed a byte
    // at a time; the autoflushing PrintStream still sends every line as it comes, for the task log.
    try (client;
        OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(client), 8192);
        PrintStream out = new PrintStream(new LinePrefixingStream(raw), true, StandardCharsets.UTF_8)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
      // Read the request even from a peer that is refused, so its write never meets a closed socket.
      String request = readLine(in);
      if (!sameUser(client)) {
        raw.write("X 2\n".getBytes(StandardCharsets.UTF_8));
        raw.flush();
        log.accept("guesthook serve: refused a connection from another user");
        return;
      }
      int exit;
      try {
        exit = runner.run(PhaseCall.parse(request), out);
      } catch (IllegalArgumentException e) {
        out.println("guesthook: error: " + e.getMessage());
        exit = 2;
      } catch (Exception e) {
        out.println("guesthook: internal error: " + e);
        exit = 3;
      }
      out.flush();
      raw.write(("X " + exit + "\n").getBytes(StandardCharsets.UTF_8));
      raw.flush();
    } catch (IOException e) {
      log.accept("guesthook serve: a client went away: " + e.getMessage());
    }
  }

  /** One request line, at most a few hundred characters: anything longer is not a request. */
  private static String readLine(BufferedReader in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (line.length() > 512) {
        break;
      }
      line.append((char) c);
    }
    return line.toString();
  }

  /** Only the runtime's own user (root on a node) may ask it to act on the host. */
  private boolean sameUser(SocketChannel client) throws IOException {
    UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
    return peer.user().getName().equals(ownUser());
  }

  /** The process's user does not change while it runs: looked up (stat and passwd) once. */
  private String ownUser() throws IOException {
    String me = ownUser;
    if (me == null) {
      me = Files.getOwner(Path.of("/proc/self")).getName();
      ownUser = me;
    }
    return me;
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      server.close();
    }
    workers.shutdown();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(socket);
  }

  /** Writes each line as {@code L <line>}: the client tells output from the final {@code X <code>}. */
  private static final class LinePrefixingStream extends OutputStream {
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
}
