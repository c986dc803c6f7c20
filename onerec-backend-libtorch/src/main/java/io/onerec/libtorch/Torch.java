package io.onerec.libtorch;

import io.onerec.api.checkpoint.HostTensor;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few LibTorch facts the backend needs in one place: whether the natives load, which device to use (CUDA when
 * present), and copies between Java arrays and tensors.
 */
public final class Torch {
    private static final Logger LOG = LoggerFactory.getLogger(Torch.class);
    /** System property overriding the number of LibTorch intra-op threads. */
    public static final String THREADS_PROPERTY = "onerec.torch.threads";
    /**
     * System property choosing the compute device: {@code cpu}, {@code cuda} or {@code cuda:N}; unset = the first
     * CUDA device when one is present, else the CPU. Read once, when the natives load.
     */
    public static final String DEVICE_PROPERTY = "onerec.torch.device";
    /**
     * System property choosing the precision of the LibTorch generator's matrix products: {@code fp32} (default) or
     * {@code bf16} (see {@link #autocast}).
     */
    public static final String PRECISION_PROPERTY = "onerec.torch.precision";

    /** Precision of matrix products. */
    public enum Precision {
        FP32, BF16;

        /** {@value #PRECISION_PROPERTY}, fp32 when unset. */
        public static Precision fromSystemProperty() {
            return parse(System.getProperty(PRECISION_PROPERTY, "fp32"), PRECISION_PROPERTY);
        }

        /** {@code fp32} or {@code bf16} (any case); {@code source} names where the text came from in the error. */
        public static Precision parse(String text, String source) {
            String v = text.trim().toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "fp32" -> FP32;
                case "bf16" -> BF16;
                default -> throw new IllegalArgumentException(source + " must be fp32 or bf16, got '" + text + "'");
            };
        }
    }

    /**
     * Runs what follows in this thread under LibTorch's autocast until closed: with {@link Precision#BF16}, matrix
     * products (linear layers, matmul, bmm) take bfloat16 inputs on the current device (oneDNN's AVX-512 BF16 / AMX
     * kernels on CPU, tensor cores on CUDA) while norms, softmax and reductions stay in float32, as in PyTorch's
     * {@code torch.autocast}. Weight casts are cached for the scope and dropped at its end. {@link Precision#FP32}
     * changes nothing. Scopes nest; autocast state is per thread.
     */
    public static Scope autocast(Precision precision) {
        if (precision == Precision.FP32) return () -> { };
        torch.DeviceType type = isCuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU;
        boolean wasEnabled = torch.is_autocast_enabled(type);
        torch.ScalarType wasType = torch.get_autocast_dtype(type);
        torch.set_autocast_dtype(type, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(type, true);
        torch.increment_nesting();
        return () -> {
            if (torch.decrement_nesting() == 0) torch.clear_cache();
            torch.set_autocast_enabled(type, wasEnabled);
            torch.set_autocast_dtype(type, wasType);
        };
    }

    /** Whether autocast is on for the compute device in this thread. */
    public static boolean autocastEnabled() {
        return torch.is_autocast_enabled(isCuda() ? torch.DeviceType.CUDA : torch.DeviceType.CPU);
    }

    /** A thread-local setting undone by {@link #close()}. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static volatile String loadError;
    private static volatile Device device;
    private static volatile int intraOpThreads;

    /** JavaCPP's limit on the process's resident memory, checked whenever a native object is registered. */
    private static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    static {
        // JavaCPP reads /proc/self/statm (a system call) for every native object it registers for deallocation
        // when this limit is positive, which it is by default: one read per op result, 6.6% of the decoder's
        // thread time in a profile at d128 beam 10. The backend frees its tensors through PointerScopes, not the
        // garbage collector that check exists to prompt, so it is off unless the application sets it. JavaCPP reads
        // the property when its Pointer class initialises; Torch is normally the first class to touch JavaCPP.
        if (System.getProperty(JAVACPP_MAX_PHYSICAL_BYTES) == null && System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
            System.setProperty(JAVACPP_MAX_PHYSICAL_BYTES, "0");
        }
    }

    private Torch() {
    }

    /**
     * Loads the natives once; returns null on success, else the reason why they cannot load. Throws only when
     * {@value #DEVICE_PROPERTY} names a device that is not there.
     */
    public static synchronized String load() {
        if (device != null) return null;
        if (loadError != null) return loadError;
        try {
            loadNativesInDependencyOrder();
            // One intra-op thread per core (override with -Donerec.torch.threads); LibTorch's default may count
            // hyper-threads or ignore the container's CPU quota.
            int threads = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors());
            if (threads > 0) {
                torch.set_num_threads(threads);
                intraOpThreads = threads;
                // OpenBLAS (the float32 matrix products) has its own pool, which set_num_threads does not reach.
                NativeThreads.setBlasThreads(threads);
            }
            String wanted = System.getProperty(DEVICE_PROPERTY, "").trim().toLowerCase(java.util.Locale.ROOT);
            boolean available = torch.cuda_is_available();
            if (wanted.startsWith("cuda") && !available) {
                throw new IllegalStateException(DEVICE_PROPERTY + "=" + wanted + " but no CUDA device is available"
                        + " (CPU natives, or no GPU/driver; build with -Pgpu on a GPU machine)");
            }
            if (!wanted.isEmpty() && !wanted.equals("cpu") && !wanted.matches("cuda(:\\d+)?")) {
                throw new IllegalArgumentException(DEVICE_PROPERTY + " must be cpu, cuda or cuda:N, got '" + wanted + "'");
            }
            boolean cuda = wanted.isEmpty() ? available : wanted.startsWith("cuda");
            if (wanted.startsWith("cuda:") && Integer.parseInt(wanted.substring(5)) >= torch.cuda_device_count()) {
                throw new IllegalArgumentException(DEVICE_PROPERTY + "=" + wanted + " but only " + torch.cuda_device_count() + " CUDA devices exist");
            }
            if (intraOpThreads == 0) intraOpThreads = torch.get_num_threads();
            Device d = cuda ? new Device(wanted.startsWith("cuda:") ? wanted : "cuda:0") : new Device(torch.DeviceType.CPU);
            // Loading may happen inside a caller's PointerScope; keep the shared device alive past that scope.
            d.retainReference();
            device = d;
            LOG.info("libtorch loaded: device={}, intra-op threads={}, OpenBLAS threads={}, JavaCPP maxPhysicalBytes={}",
                    cuda ? d.str().getString() : "cpu", torch.get_num_threads(), NativeThreads.blasThreads(),
                    org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw e; // a wrong device setting is the caller's mistake, not a missing native library
        } catch (Throwable t) {
            loadError = t.getClass().getSimpleName() + ": " + t.getMessage();
            return loadError;
        }
    }

    /**
     * Core LibTorch libraries, each before the ones that link against it. JavaCPP's own order loads libtorch before
     * libtorch_cpu, extracting each file only when it loads it: with an empty cache the dynamic linker then resolves
     * libtorch's libtorch_cpu from the system (Debian's python3-torch ships 1.13), and the JVM dies in that
     * library's static initialisers.
     */
    private static final List<String> DEPENDENCY_ORDER = List.of(
            "libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so",
            "libc10.dylib", "libtorch_cpu.dylib", "libtorch.dylib",
            "c10.dll", "torch_cpu.dll", "torch.dll");

    /**
     * Extracts every native file of the pytorch preset for this platform before loading any, then loads the core
     * libraries by absolute path in {@link #DEPENDENCY_ORDER}, so each library's dependencies are already in the
     * process (matched by soname) and never looked up on the system's library path; then lets JavaCPP load the rest.
     */
    private static void loadNativesInDependencyOrder() {
        try {
            preloadInDependencyOrder();
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            // An unusual packaging (natives outside the preset's jar, a read-only cache): JavaCPP's own order may still work.
            LOG.warn("could not preload the pytorch natives in dependency order ({}); leaving the load to JavaCPP", e.toString());
        }
        Loader.load(torch.class);
    }

    private static void preloadInDependencyOrder() throws IOException {
        String folder = "/org/bytedeco/pytorch/" + Loader.getPlatform() + "/";
        // Returns the cache folder(s) the preset's files were extracted to (one per jar holding the folder).
        File[] dirs = Loader.cacheResources(torch.class, folder);
        Map<String, File> byName = new HashMap<>();
        for (File dir : dirs == null ? new File[0] : dirs) {
            File[] files = dir.isDirectory() ? dir.listFiles() : new File[]{dir};
            for (File f : files == null ? new File[0] : files) byName.putIfAbsent(f.getName(), f);
        }
        if (byName.isEmpty()) {
            LOG.debug("no bundled pytorch natives under {}; leaving the load to JavaCPP", folder);
            return;
        }
        // libtorch_cpu links against OpenBLAS, which lives in its own preset; load that first.
        Loader.load(org.bytedeco.openblas.global.openblas.class);
        for (String name : DEPENDENCY_ORDER) {
            File f = byName.get(name);
            if (f != null && f.isFile()) System.load(f.getAbsolutePath());
        }
        LOG.debug("pytorch natives extracted to {} and loaded in dependency order", dirs[0]);
    }

    /** The compute device; loads the natives on first use and fails loudly when they cannot load. */
    public static Device device() {
        Device loaded = device;
        if (loaded != null) return loaded; // the common case, without load()'s lock (decoding threads call this per op)
        String err = load();
        if (err != null) throw new IllegalStateException("libtorch natives cannot load: " + err);
        return device;
    }

    /** LibTorch's intra-op thread count ({@value #THREADS_PROPERTY}, else one per core). */
    public static int intraOpThreads() {
        device();
        return intraOpThreads;
    }

    public static boolean isCuda() {
        return device().is_cuda();
    }

    public static void seed(long seed) {
        device();
        torch.manual_seed(seed);
    }

    private static TensorOptions floatOptions() {
        return new TensorOptions(torch.ScalarType.Float).device(new org.bytedeco.pytorch.DeviceOptional(device()));
    }

    /** A float tensor on the compute device holding a copy of {@code data}. */
    public static Tensor floats(float[] data, long... shape) {
        Tensor cpu = Tensor.create(data, shape);
        return isCuda() ? cpu.to(device(), torch.ScalarType.Float) : cpu;
    }

    /** An int64 tensor on the compute device holding a copy of {@code data}. */
    public static Tensor longs(long[] data, long... shape) {
        Tensor cpu = Tensor.create(data, shape);
        return isCuda() ? cpu.to(device(), torch.ScalarType.Long) : cpu;
    }

    public static Tensor longs(int[] data, long... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < l.length; i++) l[i] = data[i];
        return longs(l, shape);
    }

    /** A bool tensor on the compute device. */
    public static Tensor bools(boolean[] data, long... shape) {
        Tensor cpu = Tensor.create(data, shape);
        return isCuda() ? cpu.to(device(), torch.ScalarType.Bool) : cpu;
    }

    public static Tensor zeros(long... shape) {
        return torch.zeros(shape, floatOptions());
    }

    /** An uninitialised float tensor on the compute device (for buffers that are written before they are read). */
    public static Tensor empty(long... shape) {
        return torch.empty(shape, floatOptions(), new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    public static Tensor randn(long... shape) {
        return torch.randn(shape, floatOptions());
    }

    /** All elements of a float tensor, row-major, copied to the Java heap. */
    public static float[] toFloats(Tensor t) {
        Tensor c = t.detach().to(new Device(torch.DeviceType.CPU), torch.ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        FloatBuffer fb = c.createBuffer();
        fb.get(out);
        return out;
    }

    public static long[] toLongs(Tensor t) {
        Tensor c = t.detach().to(new Device(torch.DeviceType.CPU), torch.ScalarType.Long).contiguous();
        long[] out = new long[(int) c.numel()];
        LongBuffer lb = c.createBuffer();
        lb.get(out);
        return out;
    }

    public static HostTensor toHost(Tensor t) {
        return HostTensor.of(toFloats(t), t.sizes().vec().get());
    }

    /**
     * Scales the gradients of {@code params} so that their global L2 norm is at most {@code maxNorm} (as PyTorch's
     * clip_grad_norm_, which the Java presets do not expose); a non-positive bound disables clipping. Returns the
     * norm before clipping.
     */
    public static double clipGradNorm(java.util.List<Tensor> params, double maxNorm) {
        java.util.List<Tensor> grads = new java.util.ArrayList<>();
        TensorVector norms = new TensorVector();
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null || g.isNull() || !g.defined()) continue;
            grads.add(g);
            norms.push_back(g.norm());
        }
        if (grads.isEmpty()) return 0;
        // One host read for all per-parameter norms (not one synchronising item() per parameter); they are summed
        // here in double, in parameter order, as before, so the clip factor is bit-identical.
        float[] each = toFloats(torch.stack(norms));
        double sq = 0;
        for (float n : each) sq += (double) n * n;
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            Scalar f = scalar(maxNorm / (norm + 1e-6));
            for (Tensor g : grads) g.mul_(f);
        }
        return norm;
    }

    public static Scalar scalar(double v) {
        return new Scalar(v);
    }
}
