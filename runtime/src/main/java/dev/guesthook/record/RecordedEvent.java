package dev.guesthook.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.HostInteraction;
import java.nio.file.Path;

/** One event read back from a recording, with where it came from. */
public record RecordedEvent(Path file, int line, JsonNode doc) {
  public int vmid() {
    return doc.path("event").path("vmid").asInt();
  }

  public String phase() {
    return doc.path("event").path("phase").asText();
  }

  public String time() {
    return doc.path("event").path("time").asText();
  }

  /** One line for a timeline: time, VM, phase and situation, outcome, and each hook that did something. */
  public String summary() {
    StringBuilder out = new StringBuilder(time() + "  VM " + vmid() + " " + phase()
        + " (" + doc.path("event").path("situation").asText() + "): " + doc.path("outcome").asText());
    for (JsonNode hook : doc.path("hooks")) {
      if (!hook.path("outcome").asText().equals("skipped")) {
        long changes = 0;
        for (JsonNode call : hook.path("interactions")) {
          if (HostInteraction.Kind.fromWireName(call.path("kind").asText()).changesHost()) {
            changes++;
          }
        }
        out.append("; ").append(hook.path("name").asText()).append(' ').append(hook.path("outcome").asText())
            .append(" (").append(changes).append(changes == 1 ? " change)" : " changes)");
      }
    }
    return out.toString();
  }
}
