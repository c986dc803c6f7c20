package io.onerec.libtorch.dist;

import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.FileStore;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One process of a data-parallel training job on PyTorch's c10d, through the bytedeco bindings: every process holds
 * the whole model, trains on its share of each global batch, and the gradients are summed across processes
 * (all-reduce) before every optimiser step, so all processes take the same step, as PyTorch's
 * DistributedDataParallel does. The backend is Gloo (CPU tensors; NCCL would be CUDA's, not wired up here).
 *
 * <p>Rendezvous, in the manner of torchrun: {@code file:PATH} (a {@code FileStore} on a file every process can
 * reach; delete it before a new job) or {@code tcp:HOST:PORT} (a {@code TCPStore}, served by rank 0). Gloo connects
 * the processes over {@code 127.0.0.1} unless {@value #HOSTNAME_PROPERTY} names this host's address.
 */
public final class DataParallelGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataParallelGroup.class);
    /** The address Gloo binds to (default 127.0.0.1: every process on this machine). */
    public static final String HOSTNAME_PROPERTY = "onerec.dist.hostname";

    private final int rank, worldSize;
    private final Store store;
    private final ProcessGroupGloo group;
    private volatile boolean closed;

    private DataParallelGroup(int rank, int worldSize, Store store, ProcessGroupGloo group) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.store = store;
        this.group = group;
    }

    /** Joins the job; blocks until all {@code worldSize} processes have joined. */
    public static DataParallelGroup join(String rendezvous, int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in [0, world size " + worldSize + ")");
        }
        String err = Torch.load();
        if (err != null) throw new IllegalStateException("LibTorch is not available: " + err);
        if (Torch.isCuda()) throw new IllegalStateException("data-parallel training is wired for Gloo on CPU tensors only");
        Store store;
        if (rendezvous.startsWith("file:")) {
            store = new FileStore(rendezvous.substring(5), worldSize);
        } else if (rendezvous.startsWith("tcp:")) {
            String hostPort = rendezvous.substring(4);
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw new IllegalArgumentException("tcp rendezvous must be tcp:HOST:PORT, got " + rendezvous);
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " out of range");
            TCPStoreOptions options = new TCPStoreOptions();
            options.port((short) port);
            options.isServer(rank == 0);
            options.waitWorkers(false);
            store = new TCPStore(hostPort.substring(0, colon), options);
        } else {
            throw new IllegalArgumentException("rendezvous must be file:PATH or tcp:HOST:PORT, got " + rendezvous);
        }
        ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create();
        options.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(System.getProperty(HOSTNAME_PROPERTY, "127.0.0.1"))));
        ProcessGroupGloo group = new ProcessGroupGloo(store, rank, worldSize, options);
        LOG.info("joined data-parallel group: rank {} of {} ({})", rank, worldSize, rendezvous);
        return new DataParallelGroup(rank, worldSize, store, group);
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /**
     * Sums the tensors element-wise across all processes, in place; every process must call this with tensors of the
     * same shapes in the same order. They travel as one flat buffer, one all-reduce per call.
     */
    public void allReduceSum(List<Tensor> tensors) {
        flatCollective(tensors, buffer -> group.allreduce(buffer), "all-reduce");
    }

    /** Sums one number across the processes. */
    public double allReduceSum(double value) {
        if (closed) throw new IllegalStateException("data-parallel group is closed");
        if (worldSize == 1) return value;
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Torch.floats(new float[]{(float) value}, 1).to(Torch.device(), torch.ScalarType.Double);
            if (!group.allreduce(new TensorVector(t))._wait()) {
                throw new IllegalStateException("all-reduce did not complete (rank " + rank + " of " + worldSize + ")");
            }
            return t.item_double();
        }
    }

    /** Makes every process's copy of these tensors rank 0's (e.g. the initial weights). */
    public void broadcastFromRankZero(List<Tensor> tensors) {
        flatCollective(tensors, buffer -> group.broadcast(buffer), "broadcast");
    }

    /**
     * Runs one collective over the tensors as a single flat buffer (one message instead of one per tensor), then
     * copies the result back into them.
     */
    private void flatCollective(List<Tensor> tensors, java.util.function.Function<TensorVector, Work> collective, String what) {
        if (closed) throw new IllegalStateException("data-parallel group is closed");
        if (tensors.isEmpty() || worldSize == 1) return;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            TensorVector flat = new TensorVector();
            for (Tensor t : tensors) flat.push_back(t.reshape(-1));
            Tensor buffer = torch.cat(flat);
            if (!collective.apply(new TensorVector(buffer))._wait()) {
                throw new IllegalStateException(what + " did not complete (rank " + rank + " of " + worldSize + ")");
            }
            long offset = 0;
            for (Tensor t : tensors) {
                long n = t.numel();
                t.copy_(buffer.narrow(0, offset, n).view(t.sizes()));
                offset += n;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        group.close();
        store.close();
    }
}
