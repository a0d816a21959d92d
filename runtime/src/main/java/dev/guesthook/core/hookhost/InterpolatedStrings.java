package dev.guesthook.core.hookhost;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.codehaus.groovy.ast.ClassCodeExpressionTransformer;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ArrayExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.GStringExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Compiles each {@code "...${value}..."} of a hook file to a call of {@link
 * HookStrings#interpolate}: a String where Groovy made a GString, whenever the values' text cannot
 * change (see there for why). A GString naming a method or property ({@code obj."$name"()}) stays
 * as Groovy compiles it.
 */
final class InterpolatedStrings extends CompilationCustomizer {
  private static final ClassNode HOOK_STRINGS = ClassHelper.make(HookStrings.class);

  InterpolatedStrings() {
    super(CompilePhase.CONVERSION);
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    new Rewriter(source).visitClass(classNode);
  }

  private static final class Rewriter extends ClassCodeExpressionTransformer {
    private final SourceUnit source;
    private final Set<Expression> names = Collections.newSetFromMap(new IdentityHashMap<>());

    Rewriter(SourceUnit source) {
      this.source = source;
    }

    @Override
    protected SourceUnit getSourceUnit() {
      return source;
    }

    @Override
    public Expression transform(Expression expression) {
      if (expression instanceof MethodCallExpression call) {
        names.add(call.getMethod());
      } else if (expression instanceof PropertyExpression property) {
        names.add(property.getProperty());
      } else if (expression instanceof ClosureExpression closure) {
        closure.getCode().visit(this); // a closure's body is not one of its sub-expressions
        return closure;
      } else if (expression instanceof GStringExpression text && !names.contains(text)) {
        return interpolation(text);
      }
      return expression == null ? null : expression.transformExpression(this);
    }

    private Expression interpolation(GStringExpression text) {
      List<Expression> values = text.getValues().stream().map(this::transform).toList();
      List<Expression> strings = List.copyOf(text.getStrings());
      Expression call =
          new StaticMethodCallExpression(
              HOOK_STRINGS,
              "interpolate",
              new ArgumentListExpression(
                  new ArrayExpression(ClassHelper.STRING_TYPE, strings),
                  new ArrayExpression(ClassHelper.OBJECT_TYPE, values)));
      call.setSourcePosition(text);
      return call;
    }
  }
}
