package io.m3spark.jobs.spark;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Sets {@code spark.kryo.registrationRequired=true} for every Spark session the test suite creates (a {@code spark.*}
 * system property, which {@code SparkConf} reads), so that a job shipping a class that {@link M3sparkKryoRegistrator}
 * does not register fails its test instead of running slower (class names in every record) on a cluster. Registered
 * for every test class through JUnit's extension auto-detection ({@code junit-platform.properties}); local runs outside
 * the tests keep Kryo's default, which accepts unregistered classes.
 */
public final class RequireKryoRegistration implements BeforeAllCallback {
  static final String PROPERTY = "spark.kryo.registrationRequired";

  @Override
  public void beforeAll(ExtensionContext context) {
    System.setProperty(PROPERTY, "true");
  }
}
