package dev.guesthook.core.settings;

import dev.guesthook.yaml.Mark;

/** One setting that does not fit its declaration: where it is, which key, and what is wrong. */
public final class SettingProblem extends Exception {
  private final Mark mark;
  private final String key;

  public SettingProblem(Mark mark, String key, String problem) {
    super(problem);
    this.mark = mark;
    this.key = key;
  }

  /**
   * The whole line: {@code file:line:col: sriov-vf.vfs[0].trust: expected true or false, found
   * "false"}.
   */
  public String line() {
    return mark + ": " + key + ": " + getMessage();
  }
}
