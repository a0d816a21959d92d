package dev.guesthook.core.hookhost;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.codehaus.groovy.ast.AnnotatedNode;
import org.codehaus.groovy.ast.ClassCodeExpressionTransformer;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ArrayExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.ExpressionTransformer;
import org.codehaus.groovy.ast.expr.GStringExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.StaticMethodCallExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.ReturnStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Compiles each {@code "...${value}..."} of a hook file to {@link PlainGString#of}, which makes the
 * same GString without Groovy's costly first type check and formatting (see there). A GString
 * naming a method or property ({@code obj."$name"()}) or in an annotation stays as Groovy compiles
 * it. The call quotes as the GString (an assert's message) and has its line, so the type checker
 * reports what it would report of the GString. Where Groovy would cast the GString to a String at
 * once (a variable, field or method result declared {@code String}), the call is {@link
 * PlainGString#text}: Groovy's cast would start its formatter too.
 */
final class InterpolatedStrings extends CompilationCustomizer {
  private static final ClassNode PLAIN_GSTRING = ClassHelper.make(PlainGString.class);

  InterpolatedStrings() {
    super(CompilePhase.CONVERSION);
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    new Rewriter(source).visitClass(classNode);
  }

  /** As written, before names resolve: {@code String} or in full. */
  private static boolean isString(ClassNode type) {
    return type.getName().equals("String") || type.getName().equals("java.lang.String");
  }

  /**
   * The expressions a method's body returns: those of its return statements and its last
   * statement's, which Groovy returns too; not those of closures inside it.
   */
  private static final class Results extends CodeVisitorSupport {
    private final List<Expression> found = new ArrayList<>();

    static List<Expression> of(Statement code) {
      Results results = new Results();
      if (code != null) {
        code.visit(results);
        Statement last = code;
        while (last instanceof BlockStatement block && !block.getStatements().isEmpty()) {
          last = block.getStatements().get(block.getStatements().size() - 1);
        }
        if (last instanceof ExpressionStatement statement) {
          results.found.add(statement.getExpression());
        }
      }
      return results.found;
    }

    @Override
    public void visitReturnStatement(ReturnStatement statement) {
      found.add(statement.getExpression());
    }

    @Override
    public void visitClosureExpression(ClosureExpression closure) {
      // a closure's returns are its own
    }
  }

  /**
   * The call, quoting as the GString it stands for (an assert's message, a compile error), also in
   * the copies Groovy's later transformers make.
   */
  private static final class Interpolation extends StaticMethodCallExpression {
    private final String source;

    Interpolation(String method, Expression arguments, String source) {
      super(PLAIN_GSTRING, method, arguments);
      this.source = source;
    }

    @Override
    public String getText() {
      return source;
    }

    @Override
    public Expression transformExpression(ExpressionTransformer transformer) {
      Expression copy =
          new Interpolation(getMethod(), transformer.transform(getArguments()), source);
      copy.setSourcePosition(this);
      copy.copyNodeMetaData(this);
      return copy;
    }
  }

  private static final class Rewriter extends ClassCodeExpressionTransformer {
    private final SourceUnit source;
    private final Set<Expression> names = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Expression> castToString = Collections.newSetFromMap(new IdentityHashMap<>());

    Rewriter(SourceUnit source) {
      this.source = source;
    }

    @Override
    protected SourceUnit getSourceUnit() {
      return source;
    }

    @Override
    public void visitField(FieldNode field) {
      if (isString(field.getOriginType())) {
        castToString.add(field.getInitialExpression());
      }
      super.visitField(field);
    }

    @Override
    protected void visitConstructorOrMethod(MethodNode method, boolean isConstructor) {
      if (!isConstructor && isString(method.getReturnType())) {
        castToString.addAll(Results.of(method.getCode()));
      }
      super.visitConstructorOrMethod(method, isConstructor);
    }

    @Override
    public void visitAnnotations(AnnotatedNode node) {
      // an annotation's members are constants: Groovy reports a GString there as written
    }

    @Override
    public Expression transform(Expression expression) {
      if (expression instanceof DeclarationExpression declaration
          && !declaration.isMultipleAssignmentDeclaration()
          && isString(declaration.getVariableExpression().getOriginType())) {
        castToString.add(declaration.getRightExpression());
      }
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
          new Interpolation(
              castToString.contains(text) ? "text" : "of",
              new ArgumentListExpression(
                  new ArrayExpression(ClassHelper.STRING_TYPE, strings),
                  new ArrayExpression(ClassHelper.OBJECT_TYPE, values)),
              text.getText());
      // Groovy's type checker drops an error on a node without a line: @CompileStatic's
      // "int count = \"${n}\"" must still be refused as Groovy refuses it.
      call.setSourcePosition(text);
      return call;
    }
  }
}
