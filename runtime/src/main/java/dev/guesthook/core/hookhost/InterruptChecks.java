package dev.guesthook.core.hookhost;

import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.DoWhileStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.ast.stmt.WhileStatement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Puts {@link HookAbandonment#check()} first in every loop body, closure and method of a hook file,
 * as Groovy's {@code @ThreadInterrupt} does, so {@code while (true) { x++ }} ends when the hook is
 * abandoned instead of spinning on a worker thread. Groovy's own transform throws an
 * InterruptedException (which {@code catch (Exception e)} swallows) and reads only the interrupt
 * flag (which {@code Thread.sleep} clears); this check throws an Error and also reads the sticky
 * abandonment.
 */
final class InterruptChecks extends CompilationCustomizer {
  InterruptChecks() {
    super(CompilePhase.CONVERSION);
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    new Inserter(source).visitClass(classNode);
  }

  private static final class Inserter extends ClassCodeVisitorSupport {
    private final SourceUnit source;

    Inserter(SourceUnit source) {
      this.source = source;
    }

    @Override
    protected SourceUnit getSourceUnit() {
      return source;
    }

    @Override
    public void visitMethod(MethodNode method) {
      if (!method.isAbstract() && method.getCode() != null) {
        method.setCode(checkedFirst(method.getCode()));
      }
      super.visitMethod(method);
    }

    @Override
    public void visitClosureExpression(ClosureExpression closure) {
      closure.setCode(checkedFirst(closure.getCode()));
      super.visitClosureExpression(closure);
    }

    @Override
    public void visitForLoop(ForStatement loop) {
      loop.setLoopBlock(checkedFirst(loop.getLoopBlock()));
      super.visitForLoop(loop);
    }

    @Override
    public void visitWhileLoop(WhileStatement loop) {
      loop.setLoopBlock(checkedFirst(loop.getLoopBlock()));
      super.visitWhileLoop(loop);
    }

    @Override
    public void visitDoWhileLoop(DoWhileStatement loop) {
      loop.setLoopBlock(checkedFirst(loop.getLoopBlock()));
      super.visitDoWhileLoop(loop);
    }
  }

  private static Statement checkedFirst(Statement code) {
    Statement check =
        new ExpressionStatement(
            new StaticMethodCallExpression(
                ClassHelper.make(HookAbandonment.class),
                "check",
                ArgumentListExpression.EMPTY_ARGUMENTS));
    if (code instanceof BlockStatement block) {
      block.getStatements().add(0, check);
      return block;
    }
    BlockStatement block = new BlockStatement();
    block.addStatement(check);
    block.addStatement(code);
    block.setSourcePosition(code);
    return block;
  }
}
