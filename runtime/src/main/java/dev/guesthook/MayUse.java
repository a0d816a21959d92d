package dev.guesthook;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a package may use of this project, said in its own {@code package-info.java} so the rule
 * lives beside the code it governs: the packages by their names below {@code dev.guesthook} ({@code
 * "host"}, {@code "host.tree"}), each exactly (a subpackage is its own entry). Libraries and the
 * JDK are not listed. {@code MayUseTest} fails the build on any use a package's list does not name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PACKAGE)
public @interface MayUse {
  String[] value();
}
