package dev.guesthook.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that replays a recorded lifecycle through today's hooks before its body, and fails unless
 * every recorded phase replays and agrees:
 *
 * <pre>{@code
 * @ReplayTest(value = "recordings/501.jsonl", hooks = {ReplayTest.STOCK, "hooks"})
 * void myRecordedLifecycleStillReplays() {}
 * }</pre>
 *
 * <p>Paths are relative to the folder the tests run in (a Maven module's folder). A difference
 * fails as an {@link org.opentest4j.AssertionFailedError} listing every differing interaction, with
 * the recorded phases as expected and the replayed ones as actual, so an IDE shows the diff. A
 * missing recording or hook folder fails naming the absolute path looked at, and a hook file
 * guesthook refuses (a folder writable by others, a file that does not compile) with its reason and
 * fix. A failure lists at most the first 50 differences or bad records, then how many more. The
 * test method may take a {@code dev.guesthook.record.Replayer.Summary} parameter to check more.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@ExtendWith(ReplayTestExtension.class)
public @interface ReplayTest {
  /**
   * The stock hooks from the classpath ({@link Hooks#stock()}, from the dependency {@code
   * dev.guesthook:guesthook-hooks}), as an entry of {@link #hooks()}.
   */
  String STOCK = "classpath:stock";

  /**
   * The recording (.jsonl) to replay, as {@code guesthook} wrote it under a sandbox's {@code
   * var/lib/guesthook/recordings/}.
   *
   * @return the recording's path
   */
  String value();

  /**
   * The hook folders, in order: {@link #STOCK} or a folder path. By default only the stock hooks.
   *
   * @return the hook folders
   */
  String[] hooks() default {STOCK};
}
