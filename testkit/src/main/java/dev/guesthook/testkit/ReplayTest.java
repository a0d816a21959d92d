package dev.guesthook.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that replays a recording through the hooks and fails, listing every differing interaction,
 * unless they agree: {@code @ReplayTest(value = "recordings/x.jsonl", hooks = {"../hooks/stock",
 * "hooks"})}. Paths are relative to the module folder. The test method may take a {@code
 * Replayer.Summary} to check more.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@ExtendWith(ReplayTestExtension.class)
public @interface ReplayTest {
  /** The recording (.jsonl) to replay. */
  String value();

  /** Hook folders, in order; by default the stock hooks beside a module of this project. */
  String[] hooks() default {"../hooks/stock"};
}
