package dev.guesthook.bench;

import dev.guesthook.dispatch.DispatchResult;
import dev.guesthook.dispatch.Dispatcher;
import dev.guesthook.dispatch.HookLog;
import dev.guesthook.dispatch.PhaseRequest;
import dev.guesthook.pve.GuestType;
import dev.guesthook.event.LifecycleEvent;
import dev.guesthook.event.Phase;
import dev.guesthook.event.Situation;
import dev.guesthook.id.VmId;
import dev.guesthook.hookhost.HookCatalog;
import dev.guesthook.hookhost.HookLoader;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.pve.VmConfigParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-process dispatch throughput: events per second through the event bus to one Groovy hook that
 * reads one attribute, with several events in flight. Run by runtime/bench/run.sh; prints one line
 * per round and the median.
 */
public final class DispatchThroughput {
  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    Path base = Files.createTempDirectory("guesthook-bench");
    Path hooks = Files.createDirectories(base.resolve("hooks"));
    Files.createDirectories(base.resolve("root/sys"));
    Files.writeString(base.resolve("root/sys/attr"), "1\n");
    Files.writeString(hooks.resolve("read.groovy"), "hook('read') { on('pre-start') { read('/sys/attr') } }\n");
    HookCatalog catalog = new HookLoader(List.of(hooks), base.resolve("cache"), Duration.ofSeconds(30)).load(Optional.empty());
    Vertx vertx = Vertx.vertx();
    Dispatcher dispatcher = await(Dispatcher.start(vertx, catalog.hooks()));
    LifecycleEvent event = new LifecycleEvent(VmId.parse("101"), Phase.PRE_START, GuestType.QEMU, "bench",
        Instant.EPOCH, VmConfigParser.parse("101.conf", "memory: 512\n"), Situation.START, Optional.empty());
    PhaseRequest request = new PhaseRequest(event, new LinuxHost(base.resolve("root")), Duration.ofSeconds(30),
        HookLog.Level.WARN, line -> {}, name -> Map.of(), false);
    double[] rates = new double[rounds];
    runRound(dispatcher, request, events / 4, inFlight); // warm-up
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      runRound(dispatcher, request, events, inFlight);
      rates[round] = events / ((System.nanoTime() - start) / 1e9);
      System.out.printf("round %d: %.0f events/s%n", round + 1, rates[round]);
    }
    Arrays.sort(rates);
    System.out.printf("dispatch throughput: median %.0f events/s (%d events x %d rounds, %d in flight, 1 Groovy hook)%n",
        rates[rounds / 2], events, rounds, inFlight);
    vertx.close();
  }

  private static void runRound(Dispatcher dispatcher, PhaseRequest request, int events, int inFlight) throws Exception {
    for (int sent = 0; sent < events; sent += inFlight) {
      List<Future<DispatchResult>> batch = new ArrayList<>();
      for (int i = 0; i < inFlight; i++) {
        batch.add(dispatcher.dispatch(request));
      }
      for (Future<DispatchResult> result : batch) {
        if (await(result).anyFailed()) {
          throw new IllegalStateException("hook failed: " + await(result).hooks());
        }
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get();
  }

}
