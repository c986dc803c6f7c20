package io.onerec.libtorch;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable tensors of a model, by checkpoint name. The models of this backend are written functionally over
 * such a table, so saving and loading is a copy and nothing is renamed between the model and the file.
 */
public final class ParameterTable {
    private final Map<String, Tensor> tensors;

    private ParameterTable(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    /** Fresh weights: {@code *norm.weight} ones, {@code *.bias} zeros, everything else N(0, std^2). */
    public static ParameterTable initialize(Map<String, long[]> shapes, double std) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String n = e.getKey();
            Tensor w = n.endsWith("norm.weight") ? Torch.zeros(e.getValue()).add(Torch.scalar(1.0))
                    : n.endsWith(".bias") ? Torch.zeros(e.getValue())
                    : Torch.randn(e.getValue()).mul(Torch.scalar(std));
            t.put(n, w.detach().set_requires_grad(true));
        }
        return new ParameterTable(t);
    }

    /**
     * Trainable copies of checkpoint tensors; every expected tensor must be present with exactly its shape, else a
     * {@link CheckpointException} naming it and {@code source}.
     */
    public static ParameterTable fromHost(Map<String, HostTensor> host, Map<String, long[]> shapes, Object source) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            HostTensor h = host.get(e.getKey());
            if (h == null) throw new CheckpointException(source + ": missing tensor '" + e.getKey() + "'");
            h.requireShape(e.getKey(), e.getValue());
            if (h.dtype() != HostTensor.DType.F32) {
                throw new CheckpointException(source + ": tensor '" + e.getKey() + "' is " + h.dtype() + ", expected F32");
            }
            t.put(e.getKey(), Torch.floats(h.floats(), e.getValue()).set_requires_grad(true));
        }
        return new ParameterTable(t);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalStateException("no parameter " + name);
        return t;
    }

    /** Replaces a tensor (e.g. a grown embedding after a vocabulary extension). */
    public void put(String name, Tensor tensor) {
        tensors.put(name, tensor);
    }

    public Map<String, HostTensor> toHost() {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        tensors.forEach((name, t) -> host.put(name, Torch.toHost(t)));
        return host;
    }

    /** A detached copy (e.g. the frozen reference model of DPO, or the best epoch's weights). */
    public ParameterTable copy(boolean trainable) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        tensors.forEach((name, t) -> copy.put(name, t.detach().clone().set_requires_grad(trainable)));
        return new ParameterTable(copy);
    }

    /** Overwrites these weights in place with another table's of the same names and shapes. */
    public void copyFrom(ParameterTable other) {
        try (NoGradGuard guard = new NoGradGuard()) {
            tensors.forEach((name, t) -> t.copy_(other.get(name)));
        }
    }

    public TensorVector parameters() {
        return new TensorVector(tensors.values().toArray(Tensor[]::new));
    }

    public List<Tensor> list() {
        return new ArrayList<>(tensors.values());
    }

    public long count() {
        long n = 0;
        for (Tensor t : tensors.values()) n += t.numel();
        return n;
    }
}
