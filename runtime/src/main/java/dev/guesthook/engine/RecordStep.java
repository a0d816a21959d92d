package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.record.Recorder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.TreeMap;

/**
 * Step 5 of a phase: every real or simulated phase is recorded, with the settings its hooks were
 * given, for {@code guesthook events} and {@code replay}; a dry run changed nothing, so there is
 * nothing to keep.
 */
final class RecordStep {
  static final long RECORDING_MAX_BYTES = 16L * 1024 * 1024;
  static final int RECORDING_KEEP = 5;

  private final Vertx vertx;
  private final Settings settings;

  RecordStep(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  Future<Engine.Run> record(DispatchStep.Dispatched dispatched, PhaseListener listener) {
    Engine.Run run = new Engine.Run(dispatched.result(), dispatched.prepared().catalog());
    if (settings.dryRun()) {
      return Future.succeededFuture(run);
    }
    Recorder recorder =
        new Recorder(
            settings.recordingDir(),
            RECORDING_MAX_BYTES,
            RECORDING_KEEP,
            warning -> listener.line("guesthook: warning: " + warning));
    return vertx.executeBlocking(
        () -> {
          recorder.record(
              dispatched.result(), new TreeMap<>(dispatched.prepared().hookSettings().given()));
          return run;
        },
        false);
  }
}
