package dev.guesthook.testkit;

import dev.guesthook.config.SettingsLoader;
import dev.guesthook.engine.ReplaySession;
import dev.guesthook.record.Replay;
import dev.guesthook.record.Replayer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

/** Runs the replay of a {@link ReplayTest} before its body and fails it with the differences. */
final class ReplayTestExtension implements BeforeTestExecutionCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ReplayTestExtension.class);

  @Override
  public void beforeTestExecution(ExtensionContext context) throws Exception {
    summary(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Replayer.Summary.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return summary(context);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Replayer.Summary summary(ExtensionContext context) throws Exception {
    Object known = context.getStore(NAMESPACE).get("summary");
    if (known != null) {
      return (Replayer.Summary) known;
    }
    ReplayTest spec = context.getRequiredTestMethod().getAnnotation(ReplayTest.class);
    Path recording = Path.of(spec.value()).toAbsolutePath().normalize();
    Path root = Files.createTempDirectory("guesthook-replay-test-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Vertx vertx = Vertx.vertx();
    List<String> differences = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Replayer.Summary summary;
    try {
      JsonObject flags =
          new JsonObject()
              .put("root", root.toString())
              .put(
                  "hook-dirs",
                  new JsonArray(
                      Arrays.stream(spec.hooks())
                          .map(h -> Path.of(h).toAbsolutePath().normalize().toString())
                          .toList()));
      var settings =
          new SettingsLoader(root)
              .load(vertx, flags, Optional.empty(), Map.of())
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      summary =
          vertx
              .executeBlocking(
                  () ->
                      new Replayer(() -> new ReplaySession(vertx, settings), warnings::add)
                          .replay(
                              recording,
                              false,
                              (Replay.Comparison c) -> {
                                if (!c.agrees()) {
                                  differences.add(
                                      "VM "
                                          + c.recorded().vmid()
                                          + " "
                                          + c.recorded().phase()
                                          + " ("
                                          + recording.getFileName()
                                          + ":"
                                          + c.recorded().line()
                                          + "):");
                                  c.differences().forEach(d -> differences.add("    " + d));
                                }
                              }),
                  false)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.MINUTES);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      try (var walk = Files.walk(root)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    requireAllReplayed(recording, summary, warnings, differences);
    context.getStore(NAMESPACE).put("summary", summary);
    return summary;
  }

  /**
   * A replay test passes only when every record was replayed and agrees: a record skipped as bad
   * (its warning says why) or a file with no event at all would otherwise show green having checked
   * nothing.
   */
  static void requireAllReplayed(
      Path recording, Replayer.Summary summary, List<String> warnings, List<String> differences) {
    if (!differences.isEmpty()) {
      throw new AssertionFailedError(
          "replay of "
              + recording
              + " differs from the recording:\n"
              + String.join("\n", differences));
    }
    if (summary.skipped() > 0) {
      throw new AssertionFailedError(
          "replay of "
              + recording
              + " skipped "
              + summary.skipped()
              + " bad record(s),"
              + " which a replay test does not accept:\n"
              + String.join("\n", warnings));
    }
    if (summary.events() == 0) {
      throw new AssertionFailedError(
          "replay of " + recording + " replayed no event: the file holds none");
    }
  }
}
