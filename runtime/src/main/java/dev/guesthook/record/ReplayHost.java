package dev.guesthook.record;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostInteraction.Bytes;
import dev.guesthook.host.HostInteraction.Errno;
import dev.guesthook.host.HostInteraction.Flag;
import dev.guesthook.host.HostInteraction.Kind;
import dev.guesthook.host.HostInteraction.Link;
import dev.guesthook.host.HostInteraction.Names;
import dev.guesthook.host.HostInteraction.Ran;
import dev.guesthook.host.HostInteraction.Result;
import dev.guesthook.host.HostInteraction.Text;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host as a recording saw it: every question a hook asked is answered with the answer recorded
 * for the same question, in the same order (the n-th read of a path gets the n-th recorded value);
 * a write or command gets the recorded result, errno included. Questions the recording never saw
 * are answered from what this replay wrote, else as absent, so a changed hook meets a plausible
 * host and the comparison shows what it did differently.
 */
public final class ReplayHost implements HostPort {
  private record Question(Kind kind, String target) {}

  private final Map<Question, Deque<Result>> answers = new HashMap<>();
  private final Map<String, String> written = new HashMap<>();

  public ReplayHost(RecordedEvent event) {
    for (Recording.Hook hook : event.recording().hooks()) {
      for (HostInteraction call : hook.interactions()) {
        answers
            .computeIfAbsent(new Question(call.kind(), call.target()), k -> new ArrayDeque<>())
            .add(call.result());
      }
    }
  }

  /**
   * The next recorded answer to this question, keeping the last one for questions asked more often.
   */
  private Optional<Result> answer(Kind kind, Object target) {
    Deque<Result> queue = answers.get(new Question(kind, target.toString()));
    if (queue == null || queue.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(queue.size() > 1 ? queue.poll() : queue.peek());
  }

  /** The recorded answer, its errno thrown as the port would have thrown it. */
  private Optional<Result> succeeded(Kind kind, Object target) {
    Optional<Result> result = answer(kind, target);
    if (result.isPresent() && result.get() instanceof Errno errno) {
      throw errno.exception();
    }
    return result;
  }

  private static HostException notRecorded(HostPath path) {
    return new HostException("ENOENT", path + ": not in the recording");
  }

  @Override
  public synchronized String read(HostPath path) {
    Optional<Result> result = succeeded(Kind.READ, path);
    if (result.isPresent()) {
      return result.get() instanceof Text text ? text.content() : result.get().text();
    }
    String value = written.get(path.toString());
    if (value == null) {
      throw notRecorded(path);
    }
    return value;
  }

  /** A binary read answers only from the recording: nothing a replay writes is binary. */
  @Override
  public synchronized byte[] readBytes(HostPath path, int max) {
    Result result = succeeded(Kind.READ_BYTES, path).orElseThrow(() -> notRecorded(path));
    byte[] bytes = HexFormat.of().parseHex(result.text());
    return bytes.length > max ? Arrays.copyOf(bytes, max) : bytes;
  }

  @Override
  public synchronized void write(HostPath path, String value) {
    succeeded(Kind.WRITE, path);
    written.put(path.toString(), value);
  }

  @Override
  public synchronized boolean exists(HostPath path) {
    return answer(Kind.EXISTS, path)
        .map(result -> result instanceof Flag flag && flag.present())
        .orElse(written.containsKey(path.toString()));
  }

  @Override
  public synchronized List<String> list(HostPath directory) {
    Result result = succeeded(Kind.LIST, directory).orElseThrow(() -> notRecorded(directory));
    return result instanceof Names names ? names.names() : List.of();
  }

  @Override
  public synchronized Optional<HostPath> readLink(HostPath path) {
    return succeeded(Kind.READLINK, path)
        .flatMap(result -> result instanceof Link link ? link.to() : Optional.empty());
  }

  /** A statvfs that failed when recorded answers 0, as no space. */
  @Override
  public synchronized long usableBytes(HostPath path) {
    return answer(Kind.STATVFS, path)
        .map(result -> result instanceof Bytes bytes ? bytes.usable() : 0L)
        .orElse(0L);
  }

  @Override
  public synchronized void createDirectories(HostPath directory) {
    succeeded(Kind.MKDIR, directory);
  }

  @Override
  public synchronized void delete(HostPath path) {
    succeeded(Kind.DELETE, path);
    written.remove(path.toString());
  }

  @Override
  public synchronized CommandResult run(HostCommand command) {
    Kind kind = command.readOnly() ? Kind.QUERY : Kind.RUN;
    Optional<Result> result = succeeded(kind, command.display());
    if (result.isEmpty() || !(result.get() instanceof Ran ran)) {
      return new CommandResult(
          CommandResult.Status.NOT_SIMULATED,
          127,
          "not in the recording: " + command.display() + "\n");
    }
    return ran.command();
  }

  @Override
  public String describe() {
    return "replay of a recording";
  }
}
