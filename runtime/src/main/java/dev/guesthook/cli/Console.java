package dev.guesthook.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * stdout and stderr as UTF-8 whatever the locale: Proxmox runs hookscripts with LC_ALL=C, where the
 * JVM would otherwise turn every non-ASCII character of a hook's message into '?'.
 */
public record Console(PrintStream out, PrintStream err) {
  public static Console system() {
    return new Console(utf8(FileDescriptor.out), utf8(FileDescriptor.err));
  }

  private static PrintStream utf8(FileDescriptor fd) {
    return new PrintStream(new FileOutputStream(fd), true, StandardCharsets.UTF_8);
  }

  /** The one-line error format every failure of the CLI uses. */
  public void error(String message) {
    err.println(errorLine(message));
  }

  /** A failure as the CLI prints it: {@code guesthook: error: <message>}. */
  static String errorLine(String message) {
    return "guesthook: error: " + message;
  }

  public void warn(String message) {
    err.println("guesthook: warning: " + message);
  }
}
