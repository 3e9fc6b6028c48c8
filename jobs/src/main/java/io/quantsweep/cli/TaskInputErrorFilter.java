package io.quantsweep.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * A log4j 2 filter ({@code type = TaskInputErrors}) that leaves out Spark's own report of a task that
 * failed on bad input, since the command line reports it in one line of its own: the executor's
 * "Exception in task" with the exception's trace, the scheduler's "Lost task" with the same trace as
 * text, and a "Lost task" for each task killed when the job was aborted, quoting that trace again. The
 * job's one-line "aborting job" stays. A task's other failures (a bug, a full disk) keep Spark's traces.
 *
 * <p>Bad input is what {@link QuantSweep#badInput} says, thrown by QuantSweep's own code: an
 * {@link IllegalArgumentException} thrown inside the JDK or a library is a bug, whose trace is wanted. Of
 * an exception and its causes, the first that is bad input or an I/O failure decides, as it is the one
 * the command line reports. A "Lost task" line that does not read as expected is kept.
 */
@Plugin(name = "TaskInputErrors", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class TaskInputErrorFilter extends AbstractFilter {
    private static final String EXECUTOR = "org.apache.spark.executor.Executor";
    private static final String SCHEDULER = "org.apache.spark.scheduler.TaskSetManager";
    // TaskSetManager writes "Lost task 6.0 in stage 0.0 (TID 6) (host executor 1): " and the task's printed trace;
    // for a task killed when the job was aborted, "...: TaskKilled (Stage cancelled: Job aborted due to stage
    // failure: Task 6 in stage 0.0 failed 1 times, most recent failure: Lost task 6.0 ...", and the same again
    private static final String LOST = "Lost task ";
    private static final String HOST_END = "): ";
    private static final String ABORTED_BY = "most recent failure: ";
    private static final String CAUSED_BY = "Caused by: ";
    private static final String FRAME = "\tat ";
    private static final String OURS = "io.quantsweep.";

    private TaskInputErrorFilter(Result onMatch, Result onMismatch) {
        super(onMatch, onMismatch);
    }

    /** By default an event of bad input is denied, and the others go on. */
    @PluginFactory
    public static TaskInputErrorFilter create(@PluginAttribute("onMatch") Result onMatch,
            @PluginAttribute("onMismatch") Result onMismatch) {
        return new TaskInputErrorFilter(onMatch == null ? Result.DENY : onMatch, onMismatch == null ? Result.NEUTRAL : onMismatch);
    }

    @Override
    public Result filter(LogEvent event) {
        List<Link> chain = switch (event.getLoggerName()) {
            case EXECUTOR -> chain(event.getThrown());
            case SCHEDULER -> chain(event.getMessage().getFormattedMessage());
            default -> List.of();
        };
        return ourBadInput(chain) ? onMatch : onMismatch;
    }

    /** An exception of a chain: its class (null where it cannot be loaded here) and where it was thrown, class name first. */
    private record Link(Class<?> type, String thrower) {
    }

    private static boolean ourBadInput(List<Link> chain) {
        for (Link l : chain) {
            if (l.type() == null) {
                return false;
            }
            if (QuantSweep.badInput(l.type())) {
                return l.thrower().startsWith(OURS);
            }
            if (IOException.class.isAssignableFrom(l.type())) {
                return false;
            }
        }
        return false;
    }

    private static List<Link> chain(Throwable thrown) {
        List<Link> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && chain.size() < 100; t = t.getCause()) { // causes may form a loop
            StackTraceElement[] frames = t.getStackTrace();
            chain.add(new Link(t.getClass(), frames.length == 0 ? "" : frames[0].getClassName()));
        }
        return chain;
    }

    /**
     * The chain of the trace a "Lost task" line prints: "Type: message", frames "\tat pkg.Class.method(File.java:1)",
     * "Caused by: Type: ...". A task killed because the job was aborted is lost with the failure that aborted it.
     */
    private static List<Link> chain(String message) {
        int quoted = message.indexOf(ABORTED_BY);
        String lost = quoted < 0 ? message : message.substring(quoted + ABORTED_BY.length());
        int start = lost.indexOf(HOST_END);
        if (!message.startsWith(LOST) || !lost.startsWith(LOST) || start < 0) {
            return List.of();
        }
        List<Link> chain = new ArrayList<>();
        String type = null;
        String thrower = "";
        for (String line : lost.substring(start + HOST_END.length()).split("\n")) {
            if (type == null || line.startsWith(CAUSED_BY)) {
                if (type != null) {
                    chain.add(link(type, thrower));
                }
                type = line.startsWith(CAUSED_BY) ? line.substring(CAUSED_BY.length()) : line;
                thrower = "";
            } else if (thrower.isEmpty() && line.startsWith(FRAME)) {
                // a frame of a class in a named module starts "java.base/"
                String frame = line.substring(FRAME.length());
                thrower = frame.substring(frame.lastIndexOf('/', Math.max(frame.indexOf('('), 0)) + 1);
            }
        }
        if (type != null) {
            chain.add(link(type, thrower));
        }
        return chain;
    }

    private static Link link(String header, String thrower) {
        int colon = header.indexOf(':');
        String name = (colon < 0 ? header : header.substring(0, colon)).trim();
        try {
            return new Link(Class.forName(name, false, TaskInputErrorFilter.class.getClassLoader()), thrower);
        } catch (ClassNotFoundException | LinkageError e) {
            return new Link(null, thrower);
        }
    }
}
