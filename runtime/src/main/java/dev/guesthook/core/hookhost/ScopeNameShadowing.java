package dev.guesthook.core.hookhost;

import java.util.Set;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Refuses a hook file's own method, script-level variable or field named like something guesthook
 * puts in hooks' scope ({@code settings}, {@code log}, {@code write}, a contribution's {@code
 * devices} ...): Groovy resolves the file's own first, so the name would mean the file's thing in
 * every handler, and a handler asking for its settings got whatever the file's method returned. A
 * local variable inside a handler hides the name only there, where it is written, and is left
 * alone.
 */
final class ScopeNameShadowing extends CompilationCustomizer {
  private final Set<String> scopeNames;

  ScopeNameShadowing(Set<String> scopeNames) {
    super(CompilePhase.CANONICALIZATION);
    this.scopeNames = scopeNames;
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    if (!classNode.isScript()) {
      return;
    }
    for (MethodNode method : classNode.getMethods()) {
      if (declared(method) && !method.isScriptBody()) {
        check(source, "method", method.getName(), method);
      }
    }
    for (FieldNode field : classNode.getFields()) {
      if (declared(field)) {
        check(source, "field", field.getName(), field);
      }
    }
    MethodNode body = classNode.getMethod("run", Parameter.EMPTY_ARRAY);
    if (body != null && body.getCode() instanceof BlockStatement block) {
      for (Statement statement : block.getStatements()) {
        if (statement instanceof ExpressionStatement line
            && line.getExpression() instanceof DeclarationExpression declaration) {
          checkDeclared(source, declaration);
        }
      }
    }
  }

  private void checkDeclared(SourceUnit source, DeclarationExpression declaration) {
    if (declaration.isMultipleAssignmentDeclaration()) {
      for (Expression each : declaration.getTupleExpression().getExpressions()) {
        VariableExpression variable = (VariableExpression) each;
        check(source, "variable", variable.getName(), variable);
      }
    } else {
      VariableExpression variable = declaration.getVariableExpression();
      check(source, "variable", variable.getName(), variable);
    }
  }

  /** Written in the file: Groovy's own members have no line. */
  private static boolean declared(ASTNode node) {
    return node.getLineNumber() > 0;
  }

  private void check(SourceUnit source, String kind, String name, ASTNode where) {
    if (!scopeNames.contains(name)) {
      return;
    }
    source.addError(
        new SyntaxException(
            kind
                + " '"
                + name
                + "' has the name of guesthook's own '"
                + name
                + "' in hooks' scope, which it would hide everywhere in this file; give it a name"
                + " of its own (such as 'own"
                + Character.toUpperCase(name.charAt(0))
                + name.substring(1)
                + "')",
            where.getLineNumber(),
            where.getColumnNumber(),
            where.getLastLineNumber(),
            where.getLastColumnNumber()));
  }
}
