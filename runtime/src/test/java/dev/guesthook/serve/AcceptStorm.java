package dev.guesthook.serve;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run under a small fd limit by {@link ServeAbuseTest}: connects to its own resident runtime until
 * no descriptor is left, then for two seconds counts the service's log lines and the process's CPU
 * time. Prints {@code lines=<n> cpuMillis=<n>}.
 */
public final class AcceptStorm {
  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    cpuNanos(); // loads libmanagement now: with every descriptor taken, it could not be opened
    // later
    AtomicLong lines = new AtomicLong();
    ResidentRuntime runtime =
        new ResidentRuntime(
            socket,
            ResidentRuntime.PhaseRunner.blocking((call, out) -> 0),
            line -> lines.incrementAndGet());
    runtime.start();
    List<SocketChannel> clients = new ArrayList<>();
    try {
      while (true) {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        clients.add(client);
        client.connect(UnixDomainSocketAddress.of(socket));
      }
    } catch (IOException outOfDescriptors) {
      // Now the runtime's accept(2) meets EMFILE too.
    }
    Thread.sleep(300);
    long linesBefore = lines.get();
    long cpuBefore = cpuNanos();
    Thread.sleep(2000);
    System.out.println(
        "clients="
            + clients.size()
            + " lines="
            + (lines.get() - linesBefore)
            + " cpuMillis="
            + (cpuNanos() - cpuBefore) / 1_000_000);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
