package dev.guesthook.testsupport;

import dev.guesthook.config.Settings;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.guest.LifecycleEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What tests and benchmarks that build an engine of their own need: its settings, a quiet ear. */
public final class Engines {
  /** A listener for a phase whose lines nobody reads. */
  public static final PhaseListener QUIET =
      new PhaseListener() {
        @Override
        public void started(LifecycleEvent event, int hooks) {}

        @Override
        public void line(String line) {}
      };

  private Engines() {}

  /**
   * The settings from these command-line flags alone (no settings file, no environment), with
   * {@code stock} as the stock hooks' folder.
   */
  public static Settings settings(Vertx vertx, JsonObject flags, Path stock) throws Exception {
    return new SettingsLoader(stock)
        .load(vertx, flags, Optional.empty(), Map.of())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** The settings of a host tree at {@code root} whose one hook folder is {@code hooks}. */
  public static Settings settings(Vertx vertx, Path root, Path hooks) throws Exception {
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("hook-dirs", new JsonArray().add(hooks.toString()));
    return settings(vertx, flags, hooks);
  }
}
