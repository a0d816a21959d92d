package dev.guesthook.testkit;

import dev.guesthook.config.Settings;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.ReplaySession;
import dev.guesthook.record.Replay;
import dev.guesthook.record.Replayer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

/** Runs the replay of a {@link ReplayTest} before its body and fails it with the differences. */
final class ReplayTestExtension implements BeforeTestExecutionCallback, ParameterResolver {
  /** Where the Debian package installs the stock hooks (in a checkout: hooks/stock). */
  static final String STOCK_ON_A_NODE = "/usr/share/guesthook/hooks/stock";

  /** How many differences or bad records a failure lists: a garbage file has thousands. */
  static final int LISTED = 50;

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
    Replayer.Summary summary = replay(spec.value(), spec.hooks());
    context.getStore(NAMESPACE).put("summary", summary);
    return summary;
  }

  /**
   * Replays {@code recording} through {@code hooks} (paths relative to the folder the tests run in,
   * or {@link ReplayTest#STOCK}) and fails unless every record replays and agrees.
   */
  static Replayer.Summary replay(String recording, String... hooks) throws Exception {
    if (hooks.length == 0) {
      throw new AssertionFailedError(
          "@ReplayTest(hooks = {}) names no hook folder: give ReplayTest.STOCK, your own folders,"
              + " or both");
    }
    Path file = recordingAt(recording, hooks);
    List<Path> hookDirs = Stream.of(hooks).map(ReplayTestExtension::hookFolder).toList();
    Path root = Files.createTempDirectory("guesthook-replay-test-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Vertx vertx = Vertx.vertx();
    Disagreements disagreements = new Disagreements(file);
    List<String> warnings = new ArrayList<>();
    try {
      Settings settings = await(settings(vertx, root, hookDirs), 30);
      Replayer.Summary summary =
          await(
              vertx.executeBlocking(
                  () ->
                      new Replayer(() -> new ReplaySession(vertx, settings), warnings::add)
                          .replay(file, false, disagreements::add),
                  false),
              300);
      requireAllReplayed(file, summary, warnings, disagreements, () -> refusedHookFiles(settings));
      // A passing replay may still have left out a hook newer than the recording: say so.
      warnings.forEach(warning -> System.err.println("@ReplayTest: " + warning));
      return summary;
    } finally {
      await(vertx.close(), 10);
      deleteTree(root);
    }
  }

  /**
   * {@link #requireAllReplayed(Path, Replayer.Summary, List, Disagreements)}, a failure led by the
   * hook files the loader refused, if any: a hook missing from the replay is most likely one of
   * them. They are asked for only on a failure; a replay that agrees needs no second load.
   */
  private static void requireAllReplayed(
      Path recording,
      Replayer.Summary summary,
      List<String> warnings,
      Disagreements disagreements,
      Supplier<List<String>> refusedHookFiles) {
    try {
      requireAllReplayed(recording, summary, warnings, disagreements);
    } catch (AssertionFailedError failed) {
      List<String> refused = refusedHookFiles.get();
      throw refused.isEmpty() ? failed : withRefused(failed, refused);
    }
  }

  /**
   * The hook files the loader refused (a folder writable by others, a file that does not compile),
   * each with the loader's reason and fix, as {@code guesthook hooks} says them.
   */
  private static List<String> refusedHookFiles(Settings settings) {
    return Engine.hookLoader(settings).load(Optional.empty()).errors().stream()
        .map(notice -> notice.file() + ": " + notice.message())
        .toList();
  }

  /** A hook missing from the replay is most likely one the loader refused: say why first. */
  private static AssertionFailedError withRefused(
      AssertionFailedError failed, List<String> refused) {
    String message =
        "guesthook refused hook files, so their hooks did not run:\n"
            + capped(refused)
            + "\n"
            + failed.getMessage();
    return failed.isExpectedDefined() && failed.isActualDefined()
        ? new AssertionFailedError(
            message, failed.getExpected().getValue(), failed.getActual().getValue())
        : new AssertionFailedError(message);
  }

  /** The first {@link #LISTED} lines, then how many more there are. */
  static String capped(List<String> lines) {
    if (lines.size() <= LISTED) {
      return String.join("\n", lines);
    }
    return String.join("\n", lines.subList(0, LISTED))
        + "\n... and "
        + (lines.size() - LISTED)
        + " more";
  }

  private static Future<Settings> settings(Vertx vertx, Path root, List<Path> hookDirs) {
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("hook-dirs", new JsonArray(hookDirs.stream().map(Path::toString).toList()));
    return new SettingsLoader(root).load(vertx, flags, Optional.empty(), Map.of());
  }

  private static Path recordingAt(String recording, String... hooks) {
    Path file = Path.of(recording).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new AssertionFailedError(
          "no recording at "
              + file
              + relativeTo()
              + ". Record a lifecycle on a sandbox: recording is on unless turned off (guesthook"
              + " --root SANDBOX record --on turns it back on); run its phases through the same"
              + " hooks with guesthook --root SANDBOX --simulate"
              + hookFlags(hooks)
              + " <vmid> pre-start (then post-start, pre-stop, post-stop), and copy the file from"
              + " SANDBOX/var/lib/guesthook/recordings/ to there (see the README's \"Write and"
              + " test your own hooks\")");
    }
    return file;
  }

  /** The --hooks flags that load on a node or a sandbox what the test loads. */
  private static String hookFlags(String... hooks) {
    StringBuilder flags = new StringBuilder();
    for (String hooksFolder : hooks) {
      flags
          .append(" --hooks ")
          .append(
              hooksFolder.equals(ReplayTest.STOCK)
                  ? STOCK_ON_A_NODE
                  : Path.of(hooksFolder).toAbsolutePath().normalize().toString());
    }
    return flags.toString();
  }

  private static Path hookFolder(String hooks) {
    if (hooks.equals(ReplayTest.STOCK)) {
      return Hooks.stock();
    }
    Path folder = Path.of(hooks).toAbsolutePath().normalize();
    if (!Files.isDirectory(folder)) {
      throw new AssertionFailedError(
          "no hook folder at "
              + folder
              + relativeTo()
              + "; for the stock hooks give ReplayTest.STOCK, with the dependency"
              + " dev.guesthook:guesthook-hooks");
    }
    return folder;
  }

  private static String relativeTo() {
    return " (a @ReplayTest's paths are relative to "
        + Path.of("").toAbsolutePath()
        + ", the folder the tests run in)";
  }

  /**
   * The phases that did not replay as recorded: the listing of their differences, and both sides in
   * full for an IDE's diff view.
   */
  static final class Disagreements {
    private final Path recording;
    final List<String> listing = new ArrayList<>();
    final List<String> recorded = new ArrayList<>();
    final List<String> replayed = new ArrayList<>();

    Disagreements(Path recording) {
      this.recording = recording;
    }

    void add(Replay.Comparison comparison) {
      if (comparison.agrees()) {
        return;
      }
      String phase =
          "VM "
              + comparison.recorded().vmid()
              + " "
              + comparison.recorded().phase()
              + " ("
              + recording.getFileName()
              + ":"
              + comparison.recorded().line()
              + "):";
      listing.add(phase);
      comparison.differences().forEach(d -> listing.add("    " + d));
      recorded.add(phase);
      recorded.addAll(comparison.recordedLines());
      replayed.add(phase);
      replayed.addAll(comparison.replayedLines());
    }
  }

  /**
   * A replay test passes only when every record was replayed and agrees: a record skipped as bad
   * (its warning says why) or a file with no event at all would otherwise show green having checked
   * nothing. A disagreement carries the recorded phases as expected and the replayed ones as
   * actual.
   */
  static void requireAllReplayed(
      Path recording,
      Replayer.Summary summary,
      List<String> warnings,
      Disagreements disagreements) {
    if (!disagreements.listing.isEmpty()) {
      throw new AssertionFailedError(
          "replay of "
              + recording
              + " differs from the recording:\n"
              + capped(disagreements.listing),
          String.join("\n", disagreements.recorded),
          String.join("\n", disagreements.replayed));
    }
    if (summary.skipped() > 0) {
      throw new AssertionFailedError(
          "replay of "
              + recording
              + " skipped "
              + summary.skipped()
              + " bad record(s),"
              + " which a replay test does not accept:\n"
              + capped(warnings));
    }
    if (summary.events() == 0) {
      throw new AssertionFailedError(
          "replay of " + recording + " replayed no event: the file holds none");
    }
  }

  private static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
