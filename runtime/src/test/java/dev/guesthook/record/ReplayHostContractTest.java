package dev.guesthook.record;

import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.TracingHost;
import dev.guesthook.host.contract.HostPortContract;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A replay keeps the contract for every question its recording saw: each scenario runs once on a
 * traced simulated host, goes through the recording format, and runs again on a {@link ReplayHost}
 * that has only the recording to answer from. (The recording goes through {@link RecordingCodec},
 * as a file would.)
 */
class ReplayHostContractTest extends HostPortContract {
  private SimulatedHost recorded;

  @Override
  protected HostPort create(Path root) throws IOException {
    Path marker = SandboxMarker.PATH.under(root);
    Files.createDirectories(marker.getParent());
    Files.writeString(marker, "");
    recorded = SimulatedHost.sandbox(root);
    return recorded;
  }

  @Override
  protected void check(Scenario scenario) throws Exception {
    List<HostInteraction> seen = new ArrayList<>();
    scenario.on(new TracingHost(recorded, seen::add));
    scenario.on(new ReplayHost(recording(seen)));
  }

  /** The interactions as one hook's record, written and read back through the recording codec. */
  private static RecordedEvent recording(List<HostInteraction> seen) throws RecordingCodec.Damaged {
    Recording.Event event =
        new Recording.Event(
            VmId.parse("100"),
            Phase.PRE_START,
            Situation.START,
            "qemu",
            "contract",
            Instant.EPOCH,
            Optional.empty(),
            Map.of(),
            Optional.empty(),
            "");
    Recording.Hook hook =
        new Recording.Hook("contract", "contract.groovy", "ok", 0, "", seen, List.of());
    Recording written = new Recording(event, Map.of(), "ok", 0, List.of(hook));
    return new RecordedEvent(
        Path.of("contract.jsonl"), 1, RecordingCodec.read(RecordingCodec.write(written)));
  }
}
