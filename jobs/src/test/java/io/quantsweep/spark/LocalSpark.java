package io.quantsweep.spark;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension: one {@code local[2]} SparkSession per test class, given to any test, lifecycle
 * method or constructor that declares a {@link SparkSession} parameter (the part of
 * spark-testing-base we need; it is not published for Spark 4 / Scala 2.13). Compare results with
 * {@link DatasetAssertions}.
 *
 * <pre>
 * &#64;ExtendWith(LocalSpark.class)
 * class MyJobTest {
 *     &#64;Test
 *     void countsRows(SparkSession spark) { ... }
 * }
 * </pre>
 *
 * <p>The session starts on first use, is shared by the class's tests (and its {@code @Nested}
 * classes) and stops after the class's last test, so classes never see each other's views or
 * functions. Settings: no UI, 2 shuffle partitions, UTC, loopback address. A class annotated
 * {@link Master} gets that master instead, e.g. {@code local[2,4]} for tasks retried up to 4 times
 * (plain {@code local[N]} never retries a failed task).
 */
public final class LocalSpark implements ParameterResolver {
    /** The master URL of the class's session (default {@code local[2]}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Master {
        String value();
    }

    private static final Namespace NAMESPACE = Namespace.create(LocalSpark.class);

    /** The store closes it when the test class is done. */
    private record Session(SparkSession spark) implements AutoCloseable {
        @Override
        public void close() {
            spark.stop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SparkSession.class;
    }

    @Override
    public SparkSession resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext topClass = context;
        while (topClass.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
            topClass = topClass.getParent().orElseThrow();
        }
        Class<?> testClass = topClass.getRequiredTestClass();
        Master master = testClass.getAnnotation(Master.class);
        String url = master == null ? "local[2]" : master.value();
        return topClass.getStore(NAMESPACE)
                .computeIfAbsent(Session.class, k -> start(testClass.getSimpleName(), url), Session.class).spark();
    }

    private static Session start(String appName, String master) {
        return new Session(SparkSession.builder()
                .master(master)
                .appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate());
    }
}
