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

  private static final int MAX_WRAPPERS = 8;
  private static final int MAX_MESSAGE = 4096;

  private Failures() {}

  /**
   * What a hook's failure says, for the task log. Never throws: a hook's own exception type runs
   * the hook's code in getMessage(), getCause() and getStackTrace(), which may throw anything (an
   * {@code assert} throws an Error, Groovy throws checked exceptions undeclared), and a describe
   * that threw left its phase without an outcome.
   */
  public static String describe(Throwable error, String origin) {
    try {
      return described(error, origin);
    } catch (Throwable unreadable) {
      return typeOf(error) + ": it could not be described (" + typeOf(unreadable) + ")";
    }
  }

  private static String described(Throwable error, String origin) {
    Throwable cause = unwrap(error);
    String message = messageOf(cause);
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
      text = typeOf(cause);
    } else if (cause instanceof RuntimeException
        && !(cause instanceof IllegalArgumentException)
        && !(cause instanceof IllegalStateException)
        && !isScriptError(cause)) {
      text = typeOf(cause) + ": " + message;
    } else {
      text = message;
    }
    return bounded(text.strip().replace('\n', ' ')) + sourceLine(cause, origin);
  }

  /** A message goes to the task log, the journal and the recording: a few KB of it at most. */
  private static String bounded(String text) {
    return text.length() <= MAX_MESSAGE
        ? text
        : text.substring(0, MAX_MESSAGE)
            + "... ("
            + (text.length() - MAX_MESSAGE)
            + " more characters)";
  }

  /** The type's own name; an anonymous class's (empty) is its parent's. */
  private static String typeOf(Throwable error) {
    Class<?> type = error.getClass();
    while (type.getSimpleName().isEmpty() && type.getSuperclass() != null) {
      type = type.getSuperclass();
    }
    return type.getSimpleName();
  }

  /**
   * The failure inside the wrappers. A hook's own exception type may answer anything, itself
   * included, for its cause: a few levels at most.
   */
  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    for (int depth = 0;
        depth < MAX_WRAPPERS
            && (cause instanceof InvocationTargetException || cause instanceof CompletionException);
        depth++) {
      Throwable inner = causeOf(cause);
      if (inner == null || inner == cause) {
        break;
      }
      cause = inner;
    }
    return cause;
  }

  private static Throwable causeOf(Throwable error) {
    try {
      return error.getCause();
    } catch (Throwable unanswered) {
      return null;
    }
  }

  /** A hook's exception type may throw from getMessage() too: the hook fails, not the phase. */
  private static String messageOf(Throwable cause) {
    try {
      return cause.getMessage();
    } catch (Throwable unreadable) {
      return "its message could not be read (" + typeOf(unreadable) + ")";
    }
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
    StackTraceElement[] frames;
    try {
      frames = error.getStackTrace();
    } catch (Throwable unreadable) {
      return "";
    }
    if (frames == null) {
      return "";
    }
    for (StackTraceElement frame : frames) {
      if (frame != null && isHookFile(fileName, frame.getFileName()) && frame.getLineNumber() > 0) {
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
