package io.m3spark.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a {@link CommandArgs} class as a command-line flag. The field's initial value is the default.
 * Names are FlagEmbedding's snake_case names, so users can paste its commands.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Flag {
  /** The name without dashes, e.g. {@code model_name_or_path}. */
  String name();

  /** One line for {@code --help}. */
  String help();

  boolean required() default false;

  /** Other accepted names (without dashes), e.g. FlagEmbedding's older spellings. */
  String[] aliases() default {};

  /** A testing aid (e.g. injected failures): accepted, but left out of {@code --help}. */
  boolean testing() default false;
}
