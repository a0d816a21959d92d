package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.guesthook.core.dispatch.Failures;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks that a hook's worker thread let go of it: no hook code on its stack, no CPU burnt on. */
public final class HookThreads {
  /**
   * What a hook logs to name its thread: {@code log.info "on thread ${Thread.currentThread().id}"}.
   */
  private static final Pattern NAMED = Pattern.compile("on thread (\\d+)");

  private HookThreads() {}

  /** The thread ids a hook named in its log lines. */
  public static List<Long> namedIn(String output) {
    Matcher matcher = NAMED.matcher(output);
    List<Long> ids = new ArrayList<>();
    while (matcher.find()) {
      ids.add(Long.parseLong(matcher.group(1)));
    }
    return ids;
  }

  /**
   * Within a second the thread runs no hook code (compiled hook classes are {@code
   * guesthook_hook_*}), and then it burns no CPU over a fifth of a second.
   */
  public static void assertLetGoWithinASecond(long threadId) throws InterruptedException {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (runsHookCode(threadId)) {
      if (System.nanoTime() > deadline) {
        fail(
            "thread "
                + threadId
                + " still runs the hook a second after its timeout: "
                + stackOf(threadId));
      }
      Thread.sleep(20);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long before = threads.getThreadCpuTime(threadId);
    Thread.sleep(200);
    long burnt = threads.getThreadCpuTime(threadId) - before;
    assertTrue(
        burnt < 50_000_000L,
        "thread " + threadId + " burnt " + burnt / 1_000_000 + " ms of CPU in 200 ms");
  }

  private static boolean runsHookCode(long threadId) {
    return stackOf(threadId).contains(Failures.HOOK_CLASS_PREFIX);
  }

  private static String stackOf(long threadId) {
    var info = ManagementFactory.getThreadMXBean().getThreadInfo(threadId, 64);
    return info == null ? "(ended)" : Arrays.toString(info.getStackTrace());
  }
}
