package dev.guesthook.core.hookhost;

import java.lang.reflect.Modifier;
import org.codehaus.groovy.ast.ASTNode;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.PropertyNode;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Refuses static fields in a hook file, other than constants (static final numbers, strings,
 * booleans, and an enum's own values). A resident runtime keeps one class per hook text and gives
 * every guest whose folders hold that text its own instance of the script: a static field would be
 * one value for all of them, so one guest's hook would see and change another's (and it would be
 * reset whenever the class is collected). Script-level variables are per guest; state that must
 * outlive a phase goes through {@code state}. Runs after {@code @Field} has made its fields.
 */
final class StaticStateRefusal extends CompilationCustomizer {
  StaticStateRefusal() {
    super(CompilePhase.CANONICALIZATION);
  }

  @Override
  public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
    for (FieldNode field : classNode.getFields()) {
      PropertyNode property = classNode.getProperty(field.getName());
      // A property's field is made private until the class is generated: the property says how
      // it was declared.
      int declared = property != null ? property.getModifiers() : field.getModifiers();
      if (Modifier.isStatic(declared)
          && !generated(field, property)
          && !constant(classNode, field, declared)) {
        refuse(source, field.getName(), field.getLineNumber() < 1 ? property : field);
      }
    }
  }

  private static void refuse(SourceUnit source, String name, ASTNode where) {
    source.addError(
        new SyntaxException(
            message(name),
            where.getLineNumber(),
            where.getColumnNumber(),
            where.getLastLineNumber(),
            where.getLastColumnNumber()));
  }

  /** Groovy's own fields; a property's field is marked synthetic too, but was declared. */
  private static boolean generated(FieldNode field, PropertyNode property) {
    return (field.isSynthetic() && property == null) || field.getName().startsWith("$");
  }

  private static boolean constant(ClassNode owner, FieldNode field, int declared) {
    if (!Modifier.isFinal(declared)) {
      return false;
    }
    ClassNode type = field.getType();
    return ClassHelper.isPrimitiveType(ClassHelper.getUnwrapper(type))
        || ClassHelper.STRING_TYPE.equals(type)
        || (owner.isEnum() && type.equals(owner));
  }

  private static String message(String name) {
    return "static field '"
        + name
        + "' would be shared by every guest whose hooks hold this text in a resident runtime"
        + " (guesthook serve keeps one class per hook text): keep a guest's values in a"
        + " script-level variable (def "
        + name
        + " = ...) or in state, and make constants static final numbers, strings or booleans";
  }
}
