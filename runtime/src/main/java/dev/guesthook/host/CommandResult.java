package dev.guesthook.host;

/** What became of a {@link HostCommand}. */
public record CommandResult(Status status, int exitCode, String output) {
  public enum Status {
    /** The process ran to its end; see the exit code. */
    RAN,
    /** The process was killed at its timeout. */
    TIMED_OUT,
    /** A dry run: the command was planned, not run. */
    PLANNED,
    /** The simulated host has no model of this command, so it did not pretend to run it. */
    NOT_SIMULATED
  }

  public static CommandResult ran(int exitCode, String output) {
    return new CommandResult(Status.RAN, exitCode, output);
  }

  public boolean succeeded() {
    return (status == Status.RAN && exitCode == 0) || status == Status.PLANNED;
  }

  /** The last non-blank output line, the usual place a tool says why it failed. */
  public String lastLine() {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }
}
