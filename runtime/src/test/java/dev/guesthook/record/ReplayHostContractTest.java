package dev.guesthook.record;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.TracingHost;
import dev.guesthook.host.contract.HostPortContract;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.host.SandboxMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A replay keeps the contract for every question its recording saw: each scenario runs once on a
 * traced simulated host, goes through the recording format, and runs again on a {@link ReplayHost}
 * that has only the recording to answer from. (In the record package for the format's interaction codec.)
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

  private static RecordedEvent recording(List<HostInteraction> seen) {
    ObjectNode doc = RecordingFormat.JSON.createObjectNode();
    ArrayNode interactions = doc.putArray("hooks").addObject().putArray("interactions");
    seen.forEach(call -> interactions.add(RecordingFormat.interaction(call)));
    return new RecordedEvent(Path.of("contract.jsonl"), 1, doc);
  }
}
