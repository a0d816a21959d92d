package dev.guesthook.core.dispatch;

import dev.guesthook.host.HostException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CompletionException;

/**
 * Turns what a hook threw into one line an admin can act on, pointing at the hook's own source
 * line.
 */
public final class Failures {
  /**
   * Groovy hooks are compiled under this prefix before their file name, so a stack frame shows the
   * hook file.
   */
  public static final String HOOK_CLASS_PREFIX = "guesthook_hook_";

  private Failures() {}

  public static String describe(Throwable error, String origin) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage();
    String text;
    if (cause instanceof HostException host) {
      text = host.errno() + ": " + message;
    } else if (cause instanceof OutOfMemoryError) {
      text =
          "OutOfMemoryError ("
              + message
              + "): the hook took more memory than guesthook's heap bound leaves";
    } else if (cause instanceof StackOverflowError) {
      text =
          "StackOverflowError: the hook's calls nested deeper than a thread's stack holds (endless recursion?)";
    } else if (message == null || message.isBlank()) {
      text = cause.getClass().getSimpleName();
    } else if (cause instanceof RuntimeException
        && !(cause instanceof IllegalArgumentException)
        && !(cause instanceof IllegalStateException)
        && !isScriptError(cause)) {
      text = cause.getClass().getSimpleName() + ": " + message;
    } else {
      text = message;
    }
    return text.strip().replace('\n', ' ') + sourceLine(cause, origin);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof InvocationTargetException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Groovy's own assertion and missing-method errors read well as they are. */
  private static boolean isScriptError(Throwable cause) {
    String type = cause.getClass().getName();
    return type.startsWith("groovy.") || type.startsWith("org.codehaus.groovy.");
  }

  /** " (at vf-mac.groovy:12)" when the stack passes through the hook file. */
  private static String sourceLine(Throwable error, String origin) {
    if (origin == null) {
      return "";
    }
    String fileName = origin.substring(origin.lastIndexOf('/') + 1);
    for (StackTraceElement frame : error.getStackTrace()) {
      if (isHookFile(fileName, frame.getFileName()) && frame.getLineNumber() > 0) {
        return " (at " + fileName + ":" + frame.getLineNumber() + ")";
      }
    }
    return "";
  }

  /**
   * Groovy hooks are compiled under a prefixed name (see GroovyCompiler); executable hooks under
   * their own.
   */
  private static boolean isHookFile(String fileName, String frameFile) {
    return fileName.equals(frameFile) || (HOOK_CLASS_PREFIX + fileName).equals(frameFile);
  }
}
