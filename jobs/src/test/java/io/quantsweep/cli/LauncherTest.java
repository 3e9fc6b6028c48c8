package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/quantsweep}'s choice between a local JVM and spark-submit, where {@code --master} may
 * come from an {@code @FILE} argument. The script runs from a copy of the repository's layout whose jars
 * are already built (so it builds nothing), with a {@code java} and a {@code spark-submit} that only
 * write down how they were called.
 */
class LauncherTest {
    private static final Path SCRIPT = Path.of("..").toAbsolutePath().normalize().resolve("scripts/quantsweep");

    @TempDir
    Path root;

    private Path bin;

    @BeforeEach
    void layOut() throws IOException {
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(SCRIPT, root.resolve("scripts/quantsweep"));
        Path target = Files.createDirectories(root.resolve("jobs/target"));
        Files.writeString(target.resolve("jobs-0.1.0-SNAPSHOT.jar"), "");
        Files.writeString(target.resolve("classpath.txt"), "/deps/a.jar");
        Files.writeString(target.resolve("cluster-classpath.txt"), "/deps/a.jar:/deps/b.jar");
        Files.createDirectories(root.resolve("jobs/src"));
        Files.createDirectories(root.resolve("conf/recipes"));
        Files.createDirectories(root.resolve("conf/benchmarks"));
        Files.writeString(root.resolve("conf/deployment-targets.yaml"), "");
        Files.writeString(root.resolve("pom.xml"), "");
        Files.writeString(root.resolve("jobs/pom.xml"), "");
        // the build stamp is newer than every source, and the cluster jar list newer than the stamp
        for (String source : List.of("pom.xml", "jobs/pom.xml", "jobs/src", "conf/recipes", "conf/benchmarks",
                "conf/deployment-targets.yaml")) {
            Files.setLastModifiedTime(root.resolve(source), FileTime.fromMillis(1_000_000));
        }
        Files.writeString(target.resolve("launcher.stamp"), "");
        Files.setLastModifiedTime(target.resolve("launcher.stamp"), FileTime.fromMillis(2_000_000));
        Files.setLastModifiedTime(target.resolve("cluster-classpath.txt"), FileTime.fromMillis(3_000_000));
        bin = Files.createDirectories(root.resolve("bin"));
        for (String tool : List.of("java", "spark-submit")) {
            Path p = bin.resolve(tool);
            Files.writeString(p, "#!/usr/bin/env bash\necho \"" + tool + "\" \"$@\" > \"" + root.resolve("called") + "\"\n");
            assertTrue(p.toFile().setExecutable(true));
        }
    }

    @Test
    void aClusterMasterInAnArgumentFileGoesToSparkSubmit() throws Exception {
        Path args = root.resolve("yarn.args");
        Files.writeString(args, "# the cluster run\n--master yarn   # not local\n--out hdfs:///q\n");
        String called = run("quantize", "@" + args, "--variants", "Q8_0");
        assertTrue(called.startsWith("spark-submit --master yarn --properties-file " + root.resolve("conf/spark-defaults.conf")),
                called);
        assertTrue(called.endsWith("--jars /deps/a.jar,/deps/b.jar " + root.resolve("jobs/target/jobs-0.1.0-SNAPSHOT.jar")
                + " quantize @" + args + " --variants Q8_0"), "the argument file itself goes on, unread: " + called);
    }

    @Test
    void theCommandItselfMayComeFromAnArgumentFile() throws Exception {
        Path args = root.resolve("job.args");
        Files.writeString(args, "quantize --master yarn\n--out hdfs:///q\n");
        assertTrue(run("@" + args).startsWith("spark-submit --master yarn "));
        Path local = root.resolve("info.args");
        Files.writeString(local, "gguf-info --master yarn x.gguf\n");
        assertTrue(run("@" + local).startsWith("java "), "not a Spark job");
    }

    @Test
    void theLastMasterWinsWhereverItComesFrom() throws Exception {
        Path args = root.resolve("local.args");
        Files.writeString(args, "--master=local[4]\n");
        assertTrue(run("eval", "--master", "yarn", "@" + args).startsWith("java "), "the file's local master comes last");
        assertTrue(run("eval", "@" + args, "--master", "spark://head:7077").startsWith("spark-submit --master spark://head:7077 "));
        assertTrue(run("eval", "--master", "local[2]").startsWith("java "));
        // a word that only looks like an argument file is a plain word
        assertTrue(run("eval", "@" + root.resolve("missing.args"), "--master", "local[2]").startsWith("java "));
    }

    @Test
    void sparkHomeSendsOnlyTheSparkJobsWithoutAMasterToItsSparkSubmit() throws Exception {
        Path spark = Files.createDirectories(root.resolve("spark/bin"));
        Files.move(bin.resolve("spark-submit"), spark.resolve("spark-submit"));
        String home = spark.getParent().toString();
        assertTrue(runWith(home, "quantize", "--variants", "Q8_0").startsWith("spark-submit --properties-file "));
        assertTrue(runWith(home, "eval", "--master", "local[2]").startsWith("java "), "an explicit local master runs here");
        for (String[] local : List.of(new String[] {"gguf-info", "x.gguf"}, new String[] {"plan", "--variants", "Q8_0"},
                new String[] {"report", "--in", "r"}, new String[] {"quantize", "--help"}, new String[] {"--version"})) {
            assertTrue(runWith(home, local).startsWith("java "), String.join(" ", local));
        }
    }

    @Test
    void editingASweepOrSparkSettingsBuildsNothing() throws Exception {
        Files.createDirectories(root.resolve("conf/sweeps"));
        Files.writeString(root.resolve("conf/sweeps/mine.yaml"), "name: mine\n");
        Files.writeString(root.resolve("conf/spark-defaults.conf"), "spark.ui.enabled false\n");
        assertTrue(run("eval", "--sweep", "conf/sweeps/mine.yaml").startsWith("java "));
    }

    @Test
    void aSparkHomeWithoutSparkSubmitIsNamed() throws Exception {
        Path missing = root.resolve("no-spark");
        Launch refused = launch(missing.toString(), "demo");
        assertEquals(2, refused.exit());
        assertEquals("quantsweep: SPARK_HOME is set, so demo goes to spark-submit, but " + missing
                + "/bin/spark-submit is not there: fix or unset SPARK_HOME, or give --master 'local[*]' to run here",
                refused.output().strip());
        assertEquals("quantsweep: --master yarn needs spark-submit, but " + missing + "/bin/spark-submit is not there: "
                + "fix SPARK_HOME", launch(missing.toString(), "quantize", "--master", "yarn").output().strip());
        assertTrue(runWith(missing.toString(), "convert", "--help").startsWith("java "));
    }

    /** How the launcher ran: the command it called, and what it printed itself (nothing). */
    private String run(String... args) throws IOException, InterruptedException {
        return runWith(null, args);
    }

    private String runWith(String sparkHome, String... args) throws IOException, InterruptedException {
        Launch launch = launch(sparkHome, args);
        assertEquals(0, launch.exit(), launch.output());
        assertTrue(launch.output().isEmpty(), "the launcher built or complained: " + launch.output());
        return Files.readString(root.resolve("called")).strip();
    }

    private record Launch(int exit, String output) {
    }

    private Launch launch(String sparkHome, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("scripts/quantsweep").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("SPARK_HOME");
        if (sparkHome != null) {
            env.put("SPARK_HOME", sparkHome);
        }
        env.remove("JAVA_HOME");
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        Files.deleteIfExists(root.resolve("called"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish");
        return new Launch(p.exitValue(), output);
    }
}
