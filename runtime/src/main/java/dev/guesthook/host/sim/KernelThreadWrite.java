package dev.guesthook.host.sim;

import dev.guesthook.host.HostException;
import dev.guesthook.host.KernelWrites;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated kernel's risky write on a thread of its own, the simulator's stand-in for the real
 * host's helper process: a {@link Faults#hangWrite hang} holds this thread, never the caller's.
 */
final class KernelThreadWrite implements KernelWrites.PendingWrite {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Thread thread;

  private KernelThreadWrite(Runnable store) {
    thread =
        new Thread(
            () -> {
              try {
                store.run();
                done.complete(null);
              } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
              }
            },
            "guesthook-sim-kernel-write-" + COUNT.incrementAndGet());
    thread.setDaemon(true); // a hung one never keeps the process alive, as D state does not
  }

  static KernelThreadWrite start(Runnable store) {
    KernelThreadWrite write = new KernelThreadWrite(store);
    write.thread.start();
    return write;
  }

  @Override
  public boolean await(long nanos) throws InterruptedException {
    try {
      done.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true; // result() throws it
    }
    return true;
  }

  @Override
  public boolean done() {
    return done.isDone();
  }

  @Override
  public void result() {
    try {
      done.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HostException failed) {
        throw new HostException(failed.errno(), failed.getMessage());
      }
      throw cause instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * A thread in the simulated kernel cannot be stopped either; it ends when its hang is released.
   */
  @Override
  public void abandon() {}

  @Override
  public String holder() {
    return "simulated kernel thread " + thread.getName() + " of pid " + pid();
  }

  @Override
  public long pid() {
    return ProcessHandle.current().pid();
  }
}
