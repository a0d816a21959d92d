package dev.guesthook.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host as a recording saw it: every question a hook asked is answered with the answer recorded
 * for the same question, in the same order (the n-th read of a path gets the n-th recorded value);
 * a write or command gets the recorded result, errno included. Questions the recording never saw are
 * answered from what this replay wrote, else as absent, so a changed hook meets a plausible host and
 * the comparison shows what it did differently.
 */
public final class ReplayHost implements HostPort {
  private final Map<String, Deque<JsonNode>> answers = new HashMap<>();
  private final Map<String, String> written = new HashMap<>();

  public ReplayHost(RecordedEvent event) {
    for (JsonNode hook : event.doc().path("hooks")) {
      for (JsonNode call : hook.path("interactions")) {
        answers.computeIfAbsent(key(call.path("kind").asText(), call.path("target").asText()), k -> new ArrayDeque<>())
            .add(call);
      }
    }
  }

  private static String key(String kind, String target) {
    return kind + " " + target;
  }

  /** The next recorded answer to this question, keeping the last one for questions asked more often. */
  private Optional<JsonNode> answer(String kind, String target) {
    Deque<JsonNode> queue = answers.get(key(kind, target));
    if (queue == null || queue.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(queue.size() > 1 ? queue.poll() : queue.peek());
  }

  private static HostException failure(JsonNode call) {
    String result = call.path("result").asText();
    int colon = result.indexOf(": ");
    return colon > 0 ? new HostException(result.substring(0, colon), result.substring(colon + 2))
        : new HostException("EIO", result);
  }

  @Override
  public synchronized String read(HostPath path) {
    Optional<JsonNode> call = answer("read", path.toString());
    if (call.isPresent()) {
      if (call.get().path("failed").asBoolean()) {
        throw failure(call.get());
      }
      return call.get().path("result").asText();
    }
    String value = written.get(path.toString());
    if (value == null) {
      throw new HostException("ENOENT", path + ": not in the recording");
    }
    return value;
  }

  @Override
  public synchronized void write(HostPath path, String value) {
    Optional<JsonNode> call = answer("write", path.toString());
    if (call.isPresent() && call.get().path("failed").asBoolean()) {
      throw failure(call.get());
    }
    written.put(path.toString(), value);
  }

  @Override
  public synchronized boolean exists(HostPath path) {
    return answer("exists", path.toString()).map(call -> call.path("result").asText().equals("true"))
        .orElse(written.containsKey(path.toString()));
  }

  @Override
  public synchronized List<String> list(HostPath directory) {
    JsonNode call = answer("list", directory.toString())
        .orElseThrow(() -> new HostException("ENOENT", directory + ": not in the recording"));
    if (call.path("failed").asBoolean()) {
      throw failure(call);
    }
    String names = call.path("result").asText();
    return names.isEmpty() ? List.of() : List.of(names.split(" "));
  }

  @Override
  public synchronized Optional<HostPath> readLink(HostPath path) {
    Optional<JsonNode> call = answer("readlink", path.toString());
    if (call.isPresent() && call.get().path("failed").asBoolean()) {
      throw failure(call.get());
    }
    return call.map(c -> c.path("result").asText()).filter(r -> r.startsWith("/")).map(HostPath::parse);
  }

  @Override
  public synchronized long usableBytes(HostPath path) {
    return answer("read", "statvfs " + path).map(c -> c.path("result").asLong()).orElse(0L);
  }

  @Override
  public synchronized void createDirectories(HostPath directory) {
    answer("mkdir", directory.toString()).filter(c -> c.path("failed").asBoolean()).ifPresent(c -> {
      throw failure(c);
    });
  }

  @Override
  public synchronized void delete(HostPath path) {
    answer("delete", path.toString()).filter(c -> c.path("failed").asBoolean()).ifPresent(c -> {
      throw failure(c);
    });
    written.remove(path.toString());
  }

  @Override
  public synchronized CommandResult run(HostCommand command) {
    String kind = command.readOnly() ? "query" : "run";
    Optional<JsonNode> call = answer(kind, command.display());
    if (call.isEmpty()) {
      return new CommandResult(CommandResult.Status.NOT_SIMULATED, 127, "not in the recording: " + command.display() + "\n");
    }
    if (call.get().path("failed").asBoolean()) {
      throw failure(call.get());
    }
    String[] result = call.get().path("result").asText().split(" exit=");
    return new CommandResult(CommandResult.Status.valueOf(result[0]), Integer.parseInt(result[1]),
        call.get().path("value").asText(""));
  }

  @Override
  public String describe() {
    return "replay of a recording";
  }
}
