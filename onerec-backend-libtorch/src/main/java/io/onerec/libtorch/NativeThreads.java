package io.onerec.libtorch;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The two thread pools under LibTorch on CPU, which {@code at::set_num_threads} does not both control: LibTorch's
 * own intra-op pool (OpenMP, whose thread count is a per-calling-thread setting) and OpenBLAS's, which does the
 * float32 matrix products and has its own pthreads pool with one process-wide thread count.
 *
 * <p>Why it matters (docs/libtorch-performance.md): OpenBLAS splits even a [160 x 128] x [128 x 512] product over
 * its threads; measured on the 2-core machine, that product took 2,270 us of CPU (the caller spinning in
 * {@code exec_blas_async_wait} while the worker waited for a core) against 370 us single-threaded, and
 * {@code -Donerec.torch.threads=1} did not stop it. And OpenBLAS's pthreads pool serves one caller at a time:
 * Java threads that each run their own products (the generator's user chunks) must each run them single-threaded.
 *
 * <p>Both libraries are reached by symbol ({@code openblas_set_num_threads}, {@code omp_set_num_threads}); when a
 * symbol is absent (another BLAS, another OpenMP runtime), the corresponding setting is left alone and logged once.
 */
public final class NativeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);

    private static final MethodHandle BLAS_SET = handle("openblas_set_num_threads", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    private static final MethodHandle BLAS_GET = handle("openblas_get_num_threads", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle OMP_SET = handle("omp_set_num_threads", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    private static final MethodHandle OMP_GET = handle("omp_get_max_threads", FunctionDescriptor.of(ValueLayout.JAVA_INT));

    /** Threads currently inside a {@link #serial()} scope, and OpenBLAS's thread count before the first entered. */
    private static int serialScopes;
    private static int blasThreadsBefore;

    private NativeThreads() {
    }

    private static MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        // Torch.load initialises this class right after loading the natives, so the symbols resolve.
        try {
            Pointer p = Loader.addressof(symbol);
            if (p == null || p.isNull()) {
                LOG.info("{} not found in the loaded natives; that thread setting is left as it is", symbol);
                return null;
            }
            return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(p.address()), descriptor);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("cannot call {} ({}); that thread setting is left as it is", symbol, e.toString());
            return null;
        }
    }

    /** OpenBLAS's (process-wide) thread count, or -1 when OpenBLAS is not the BLAS. */
    public static int blasThreads() {
        return BLAS_GET == null ? -1 : invokeGet(BLAS_GET);
    }

    /** Sets OpenBLAS's process-wide thread count (no-op when OpenBLAS is not the BLAS). */
    public static synchronized void setBlasThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (serialScopes > 0) blasThreadsBefore = threads; // applied when the last serial scope ends
        else invokeSet(BLAS_SET, threads);
    }

    /**
     * Until closed, LibTorch's CPU work issued by the calling thread runs on that thread alone: its OpenMP thread
     * count is set to 1 (a per-thread setting) and OpenBLAS's process-wide count to 1 while any such scope is open
     * (restored when the last closes). For callers that get their parallelism from several Java threads, each with
     * its own independent work, as the generator's user chunks do. Close it on the thread that opened it.
     */
    public static Torch.Scope serial() {
        // LibTorch sets a thread's OpenMP count from its global one on the thread's first parallel op; trigger that
        // first, or it would later overwrite the setting made here.
        torch.get_num_threads();
        int ompBefore = OMP_GET == null ? -1 : invokeGet(OMP_GET);
        if (OMP_SET != null) invokeSet(OMP_SET, 1);
        synchronized (NativeThreads.class) {
            if (serialScopes++ == 0 && BLAS_SET != null) {
                blasThreadsBefore = invokeGet(BLAS_GET);
                invokeSet(BLAS_SET, 1);
            }
        }
        return () -> {
            synchronized (NativeThreads.class) {
                if (--serialScopes == 0 && BLAS_SET != null) invokeSet(BLAS_SET, blasThreadsBefore);
            }
            if (OMP_SET != null && ompBefore > 0) invokeSet(OMP_SET, ompBefore);
        };
    }

    private static int invokeGet(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("native thread query failed", t);
        }
    }

    private static void invokeSet(MethodHandle h, int n) {
        try {
            h.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("native thread setting failed", t);
        }
    }
}
