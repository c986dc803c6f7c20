package io.onerec.libtorch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Loads LibTorch in fresh JVMs, each with an empty JavaCPP cache directory, as on a new machine or under a new jar
 * name. JavaCPP extracts and loads libtorch.so before libtorch_cpu.so exists in the cache, so the dynamic linker
 * looked for libtorch_cpu.so elsewhere; a machine with Debian's python3-torch offers libtorch 1.13 there and the JVM
 * died with SIGSEGV. To hold the loader to that without installing a foreign libtorch, every JVM here runs with a
 * decoy libtorch_cpu.so on LD_LIBRARY_PATH whose initialiser aborts the process: the loader passes only if it never
 * lets the linker search for libtorch_cpu.so. (Without a C compiler the decoy is left out and the test still checks
 * fresh-cache loads.) Runs: {@code -Donerec.nativeLoadRuns=N} (default 2; each extracts ~350 MB of natives).
 */
class FreshCacheNativeLoadTest {
    @TempDir
    Path tmp;

    @Test
    void freshJvmsWithAnEmptyJavacppCacheLoadLibtorch() throws Exception {
        int runs = Integer.getInteger("onerec.nativeLoadRuns", 2);
        Path decoy = decoyLibtorchCpu(tmp.resolve("decoy"));
        for (int run = 0; run < runs; run++) {
            Path cache = Files.createDirectories(tmp.resolve("cache-" + run));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                    "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-Donerec.torch.threads=1",
                    "-cp", System.getProperty("java.class.path"), NativeLoadProbe.class.getName()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            if (decoy != null) {
                String old = System.getenv("LD_LIBRARY_PATH");
                pb.environment().put("LD_LIBRARY_PATH", decoy + (old == null || old.isEmpty() ? "" : ":" + old));
            }
            Process p = pb.start();
            // Drain the output while waiting, so a chatty child never blocks on a full pipe.
            StringBuilder out = new StringBuilder();
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the exit status tells
                }
            });
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) p.destroyForcibly();
            drain.join(10_000);
            assertTrue(done, "run " + run + ": the JVM did not finish loading libtorch within 10 minutes");
            String text = out.toString();
            assertEquals(0, p.exitValue(), "run " + run + " (decoy " + (decoy != null) + ") exited " + p.exitValue() + ":\n" + tail(text));
            assertTrue(text.contains("sum=6.5"), tail(text));
            deleteTree(cache);
        }
    }

    /** A libtorch_cpu.so that aborts the process when loaded, or null when no C compiler is at hand. */
    private static Path decoyLibtorchCpu(Path dir) throws Exception {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) return null;
        Files.createDirectories(dir);
        Path src = dir.resolve("decoy.c");
        Files.writeString(src, "#include <stdlib.h>\n__attribute__((constructor)) static void decoy(void) { abort(); }\n");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-Wl,-soname,libtorch_cpu.so", "-o",
                    dir.resolve("libtorch_cpu.so").toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        cc.getInputStream().readAllBytes();
        return cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0 ? dir : null;
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
