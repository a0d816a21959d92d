package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Failures;
import dev.guesthook.core.event.Phase;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovySystem;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;
import org.codehaus.groovy.tools.GroovyClass;

/**
 * Compiles a hook file to class bytes with the hook DSL's base class, the core's imports and the
 * contributions'.
 */
final class GroovyCompiler {
  /**
   * Part of the cache key: bump when the DSL's compiled shape or what the compiler refuses changes
   * (11: "${value}" compiled to PlainGString.of and type-checked as Groovy checks it; 9 and 10
   * compiled it otherwise), so a file cached before is compiled and checked again.
   */
  static final String DSL_VERSION = "11";

  /** What every hook file may name without an import line, whatever the contributions. */
  private static final List<Class<?>> CORE_IMPORTS =
      List.of(Phase.class, VmId.class, HostPath.class, HostCommand.class, HostException.class);

  /** Hook classes (and their stack frames) carry this prefix before the file name. */
  static final String SCRIPT_CLASS_PREFIX = Failures.HOOK_CLASS_PREFIX;

  private final HookGlobals globals;

  GroovyCompiler(HookGlobals globals) {
    this.globals = globals;
  }

  /**
   * A site's contribution changes what names in a file resolve to, so its imports are part of the
   * key.
   */
  String fingerprint() {
    return "groovy="
        + GroovySystem.getVersion()
        + ";dsl="
        + DSL_VERSION
        + ";"
        + globals.fingerprint();
  }

  CompiledHookFile compile(String fileName, String source) throws HookLoadException {
    CompilerConfiguration config = new CompilerConfiguration();
    config.setScriptBaseClass(HookScript.class.getName());
    config.setSourceEncoding("UTF-8");
    config.addCompilationCustomizers(
        new ImportCustomizer()
            .addImports(imports())
            // What the contributions offer (typed ids, device operations) reads as part of the DSL.
            .addStarImports(globals.starImports().toArray(String[]::new)),
        // Groovy traps designed out: closures in a loop sharing one loop variable, loops that
        // never block and so never notice that their hook was abandoned, and static fields, which
        // every guest sharing the hook's class would share.
        new LoopVariables(),
        new InterruptChecks(),
        new StaticStateRefusal(),
        // and Groovy's costly first GString made and rendered, where the same one is made cheaply
        new InterpolatedStrings(),
        // and a file's own method or variable that would hide a name of the scope in every handler
        new ScopeNameShadowing(globals.scopeNames()));
    try (GroovyClassLoader loader = new GroovyClassLoader(getClass().getClassLoader(), config)) {
      CompilationUnit unit = new CompilationUnit(config, null, loader);
      // A script class is named after its source; "mdev.groovy" would make a class "mdev" that
      // hides the context's mdev property inside the file's own methods, so sources get a prefix.
      unit.addSource(SCRIPT_CLASS_PREFIX + fileName, globals.withMovedImports(source));
      unit.compile(Phases.CLASS_GENERATION);
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (GroovyClass compiled : unit.getClasses()) {
        classes.put(compiled.getName(), compiled.getBytes());
      }
      return new CompiledHookFile(scriptClass(unit), classes);
    } catch (MultipleCompilationErrorsException e) {
      throw new HookLoadException(firstError(fileName, e));
    } catch (IOException e) {
      throw new HookLoadException(fileName + ": " + e.getMessage());
    }
  }

  /**
   * The file's script class, as the compiler marks it: not the shortest name, which a class the
   * file declares ("class Seen") can have.
   */
  private static String scriptClass(CompilationUnit unit) {
    return unit.getAST().getClasses().stream()
        .filter(ClassNode::isScript)
        .findFirst()
        .orElseThrow()
        .getName();
  }

  private String[] imports() {
    return Stream.concat(CORE_IMPORTS.stream().map(Class::getName), globals.imports().stream())
        .toArray(String[]::new);
  }

  /** How much of the source a syntax error quotes: a task log line, not the rest of the file. */
  static final int EXCERPT_CHARS = 60;

  /**
   * Groovy's parser quotes everything it could not take, from where it stopped ({@code Unexpected
   * input: '('cores-fit') {\n  order 20\n ...'}), often the rest of the hook: a line of 900
   * characters in the task log. Only the first line of the quote is kept, at most {@link
   * #EXCERPT_CHARS} characters of it.
   */
  static String withShortExcerpt(String message) {
    int quote = message.indexOf('\'');
    if (quote < 0 || !message.endsWith("'") || message.length() - quote < 2) {
      return message;
    }
    String excerpt = message.substring(quote + 1, message.length() - 1);
    // Groovy writes the quote's line ends as \n, two characters.
    int lineEnd = excerpt.indexOf("\\n");
    String head = (lineEnd >= 0 ? excerpt.substring(0, lineEnd) : excerpt).stripTrailing();
    if (head.length() > EXCERPT_CHARS) {
      head = head.substring(0, EXCERPT_CHARS);
    }
    return head.equals(excerpt) ? message : message.substring(0, quote + 1) + head + " ...'";
  }

  private static String firstError(String fileName, MultipleCompilationErrorsException e) {
    for (Message message : e.getErrorCollector().getErrors()) {
      if (message instanceof SyntaxErrorMessage syntax) {
        SyntaxException cause = syntax.getCause();
        return fileName
            + ":"
            + cause.getLine()
            + ":"
            + cause.getStartColumn()
            + ": "
            + withShortExcerpt(cause.getOriginalMessage().strip());
      }
    }
    String text = e.getMessage();
    int firstLineEnd = text.indexOf('\n', text.indexOf('\n') + 1);
    return fileName
        + ": "
        + (firstLineEnd > 0 ? text.substring(0, firstLineEnd) : text).replace('\n', ' ');
  }
}
