package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.record.Recorder;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * Step 5 of a phase: every real or simulated phase is recorded, with the settings its hooks were
 * given, for {@code guesthook events} and {@code replay}; a dry run changed nothing, so there is
 * nothing to keep.
 */
final class RecordStep {
  static final long RECORDING_MAX_BYTES = 16L * 1024 * 1024;
  static final int RECORDING_KEEP = 5;

  private final Settings settings;
  private final Executor syncs;

  /** {@code syncs}: where each recorded line is synced (see {@link Recorder}). */
  RecordStep(Settings settings, Executor syncs) {
    this.settings = settings;
    this.syncs = syncs;
  }

  /**
   * Blocking (off the event loop): never fails, a recording that cannot be written is a warning.
   */
  Engine.Run record(DispatchStep.Dispatched dispatched, PhaseListener listener) {
    Engine.Run run = new Engine.Run(dispatched.result(), dispatched.prepared().catalog());
    if (settings.dryRun()) {
      return run;
    }
    new Recorder(
            settings.recordingDir(),
            RECORDING_MAX_BYTES,
            RECORDING_KEEP,
            warning -> listener.line("guesthook: warning: " + warning),
            syncs)
        .record(dispatched.result(), new TreeMap<>(dispatched.prepared().hookSettings().given()));
    return run;
  }
}
