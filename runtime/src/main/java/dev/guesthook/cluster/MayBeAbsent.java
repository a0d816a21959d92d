package dev.guesthook.cluster;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A field of a peer's file that may be missing or {@code null}: one an older guesthook did not
 * publish, or whose absence means something. Every other field must be there and not {@code null}
 * ({@link PeerJson#requireShape}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
@interface MayBeAbsent {}
