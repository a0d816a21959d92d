package dev.guesthook.core.hookhost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ClosureListExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.ExpressionTransformer;
import org.codehaus.groovy.ast.expr.PostfixExpression;
import org.codehaus.groovy.ast.expr.PrefixExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.DoWhileStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.ast.stmt.IfStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.ast.stmt.WhileStatement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.SyntaxException;
import org.codehaus.groovy.syntax.Token;
import org.codehaus.groovy.syntax.Types;

/**
 * Gives each iteration of a hook's for loops its own loop variable. A Groovy closure captures a
 * variable, not its value, and a for loop has one variable for all its iterations, so every {@code
 * undo { }} registered in {@code for (p in plan)} would act on the last {@code p}.
 *
 * <p>Runs at CONVERSION, before variables are scoped: {@code for (Map p : plan) { body }} becomes
 * {@code for (Map $each$p : plan) { Map p = $each$p; body }}. A classic {@code for (int i = 0; ...;
 * i++)} whose body has a closure using {@code i} gets the same copy when the body never changes
 * {@code i}; otherwise the file does not compile, and the error says what to write instead.
 */
final class LoopVariables extends CompilationCustomizer {
  /** Loop variables the rewrite introduced; a name no hook author would choose. */
  static final String SYNTHETIC_PREFIX = "$each$";

  LoopVariables() {
    super(CompilePhase.CONVERSION);
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    new Rewriter(source).visitClass(classNode);
  }

  /** Replaces each for loop, wherever a statement can stand, by its per-iteration form. */
  private static final class Rewriter extends ClassCodeVisitorSupport {
    private final SourceUnit source;

    Rewriter(SourceUnit source) {
      this.source = source;
    }

    @Override
    protected SourceUnit getSourceUnit() {
      return source;
    }

    @Override
    public void visitBlockStatement(BlockStatement block) {
      block.getStatements().replaceAll(this::perIteration);
      super.visitBlockStatement(block);
    }

    @Override
    public void visitForLoop(ForStatement loop) {
      loop.setLoopBlock(perIteration(loop.getLoopBlock()));
      super.visitForLoop(loop);
    }

    @Override
    public void visitWhileLoop(WhileStatement loop) {
      loop.setLoopBlock(perIteration(loop.getLoopBlock()));
      super.visitWhileLoop(loop);
    }

    @Override
    public void visitDoWhileLoop(DoWhileStatement loop) {
      loop.setLoopBlock(perIteration(loop.getLoopBlock()));
      super.visitDoWhileLoop(loop);
    }

    @Override
    public void visitIfElse(IfStatement ifElse) {
      ifElse.setIfBlock(perIteration(ifElse.getIfBlock()));
      ifElse.setElseBlock(perIteration(ifElse.getElseBlock()));
      super.visitIfElse(ifElse);
    }

    private Statement perIteration(Statement statement) {
      if (!(statement instanceof ForStatement loop)) {
        return statement;
      }
      if (loop.getCollectionExpression() instanceof ClosureListExpression header) {
        return classicLoop(loop, header);
      }
      return forInLoop(loop);
    }

    private ForStatement forInLoop(ForStatement loop) {
      if (loop.getValueVariable().getName().startsWith(SYNTHETIC_PREFIX)) {
        return loop; // already rewritten
      }
      BlockStatement body = new BlockStatement();
      Parameter index =
          loop.getIndexVariable() == null
              ? null
              : freshEachIteration(loop.getIndexVariable(), body);
      Parameter value = freshEachIteration(loop.getValueVariable(), body);
      body.addStatement(loop.getLoopBlock());
      body.setSourcePosition(loop.getLoopBlock());
      return sameLoop(loop, new ForStatement(index, value, loop.getCollectionExpression(), body));
    }

    /**
     * The loop's own variable under a synthetic name; the author's name declared anew in the body.
     */
    private static Parameter freshEachIteration(Parameter variable, BlockStatement body) {
      Parameter synthetic =
          new Parameter(variable.getOriginType(), SYNTHETIC_PREFIX + variable.getName());
      synthetic.setSourcePosition(variable);
      VariableExpression own = new VariableExpression(variable.getName(), variable.getOriginType());
      own.setModifiers(variable.getModifiers());
      own.setSourcePosition(variable);
      body.addStatement(
          declaration(own, new VariableExpression(synthetic.getName(), variable.getOriginType())));
      return synthetic;
    }

    private Statement classicLoop(ForStatement loop, ClosureListExpression header) {
      Map<String, VariableExpression> declared = declaredIn(header.getExpressions().get(0));
      Set<String> loopVariables = new TreeSet<>(declared.keySet());
      loopVariables.addAll(changedIn(last(header.getExpressions())));
      Set<String> captured = new TreeSet<>(usedInClosures(loop.getLoopBlock()));
      captured.retainAll(loopVariables);
      if (captured.isEmpty()) {
        return loop;
      }
      Set<String> changedInBody = changedIn(loop.getLoopBlock());
      for (String name : captured) {
        if (!declared.containsKey(name) || changedInBody.contains(name) || hasClosure(header)) {
          refuse(loop, name);
          return loop;
        }
      }
      BlockStatement body = new BlockStatement();
      for (String name : captured) {
        VariableExpression own = new VariableExpression(name, declared.get(name).getOriginType());
        own.setSourcePosition(declared.get(name));
        body.addStatement(
            declaration(own, new VariableExpression(SYNTHETIC_PREFIX + name, own.getOriginType())));
      }
      body.addStatement(loop.getLoopBlock());
      body.setSourcePosition(loop.getLoopBlock());
      ClosureListExpression renamed =
          new ClosureListExpression(
              header.getExpressions().stream().map(new Renamer(captured)::transform).toList());
      renamed.setSourcePosition(header);
      return sameLoop(loop, new ForStatement(loop.getVariable(), renamed, body));
    }

    /**
     * A closure in a classic loop would see the variable's last value and no copy is safe: say what
     * to write.
     */
    private void refuse(ForStatement loop, String name) {
      String message =
          "a closure in this for loop uses '"
              + name
              + "', which the loop changes, so every closure would see its"
              + " value after the loop, not this iteration's; loop with for ("
              + name
              + " in 0..<n) instead (each"
              + " iteration then has its own "
              + name
              + "), or copy it in the body (def current = "
              + name
              + ") and use that in the closure";
      source.addError(
          new SyntaxException(
              message,
              loop.getLineNumber(),
              loop.getColumnNumber(),
              loop.getLastLineNumber(),
              loop.getLastColumnNumber()));
    }
  }

  private static ForStatement sameLoop(ForStatement original, ForStatement replacement) {
    replacement.setSourcePosition(original);
    replacement.copyStatementLabels(original);
    return replacement;
  }

  private static Statement declaration(VariableExpression variable, Expression value) {
    DeclarationExpression declaration =
        new DeclarationExpression(variable, Token.newSymbol(Types.ASSIGN, -1, -1), value);
    declaration.setSourcePosition(variable);
    ExpressionStatement statement = new ExpressionStatement(declaration);
    statement.setSourcePosition(variable);
    return statement;
  }

  private static Expression last(List<Expression> expressions) {
    return expressions.get(expressions.size() - 1);
  }

  /**
   * Names declared by a classic loop's initialisation ({@code int i = 0}, {@code def (i, j) = [0,
   * 9]}).
   */
  private static Map<String, VariableExpression> declaredIn(Expression init) {
    Map<String, VariableExpression> declared = new LinkedHashMap<>();
    init.visit(
        new CodeVisitorSupport() {
          @Override
          public void visitDeclarationExpression(DeclarationExpression declaration) {
            if (declaration.getLeftExpression() instanceof TupleExpression tuple) {
              tuple
                  .getExpressions()
                  .forEach(
                      e ->
                          declared.put(((VariableExpression) e).getName(), (VariableExpression) e));
            } else {
              VariableExpression variable = declaration.getVariableExpression();
              declared.put(variable.getName(), variable);
            }
            super.visitDeclarationExpression(declaration);
          }
        });
    return declared;
  }

  /** Names assigned, incremented or decremented anywhere in the node, closures included. */
  private static Set<String> changedIn(ASTNode node) {
    Set<String> changed = new TreeSet<>();
    node.visit(
        new CodeVisitorSupport() {
          @Override
          public void visitBinaryExpression(BinaryExpression expression) {
            if (Types.isAssignment(expression.getOperation().getType())) {
              namesIn(expression.getLeftExpression(), changed);
            }
            super.visitBinaryExpression(expression);
          }

          @Override
          public void visitPostfixExpression(PostfixExpression expression) {
            namesIn(expression.getExpression(), changed);
            super.visitPostfixExpression(expression);
          }

          @Override
          public void visitPrefixExpression(PrefixExpression expression) {
            namesIn(expression.getExpression(), changed);
            super.visitPrefixExpression(expression);
          }
        });
    return changed;
  }

  private static void namesIn(Expression target, Set<String> names) {
    if (target instanceof VariableExpression variable) {
      names.add(variable.getName());
    } else if (target instanceof TupleExpression tuple) {
      tuple.getExpressions().forEach(e -> namesIn(e, names));
    }
  }

  /** Names a closure inside the node reads or writes. */
  private static Set<String> usedInClosures(Statement body) {
    Set<String> used = new TreeSet<>();
    body.visit(
        new CodeVisitorSupport() {
          private int closures;

          @Override
          public void visitClosureExpression(ClosureExpression closure) {
            closures++;
            super.visitClosureExpression(closure);
            closures--;
          }

          @Override
          public void visitVariableExpression(VariableExpression variable) {
            if (closures > 0) {
              used.add(variable.getName());
            }
          }
        });
    return used;
  }

  private static boolean hasClosure(Expression header) {
    boolean[] found = {false};
    header.visit(
        new CodeVisitorSupport() {
          @Override
          public void visitClosureExpression(ClosureExpression closure) {
            found[0] = true;
          }
        });
    return found[0];
  }

  /** Renames a classic loop's captured variables in its header to their synthetic names. */
  private record Renamer(Set<String> names) implements ExpressionTransformer {
    @Override
    public Expression transform(Expression expression) {
      if (expression instanceof VariableExpression variable && names.contains(variable.getName())) {
        VariableExpression renamed =
            new VariableExpression(SYNTHETIC_PREFIX + variable.getName(), variable.getOriginType());
        renamed.setModifiers(variable.getModifiers());
        renamed.setSourcePosition(variable);
        return renamed;
      }
      return expression == null ? null : expression.transformExpression(this);
    }
  }
}
