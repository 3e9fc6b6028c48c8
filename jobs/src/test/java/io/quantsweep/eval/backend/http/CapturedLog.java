package io.quantsweep.eval.backend.http;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything the backend package logs (through slf4j to log4j 2) while it is open, as text. */
final class CapturedLog implements AutoCloseable {
    private static final String LOGGER = "io.quantsweep.eval.backend";
    private final StringWriter text = new StringWriter();
    private final WriterAppender appender;
    private final LoggerContext context;

    CapturedLog() {
        context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.newBuilder().setName("captured-" + System.nanoTime()).setTarget(text)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c{1}: %m%n").build()).build();
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig logger = new LoggerConfig(LOGGER, Level.ALL, true);
        logger.addAppender(appender, Level.ALL, null);
        config.addLogger(LOGGER, logger);
        context.updateLoggers();
    }

    String text() {
        return text.toString();
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(LOGGER);
        context.updateLoggers();
        appender.stop();
    }
}
