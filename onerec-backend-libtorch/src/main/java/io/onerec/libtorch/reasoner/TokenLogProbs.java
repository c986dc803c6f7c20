package io.onerec.libtorch.reasoner;

import io.onerec.api.reasoner.TokenExample;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/**
 * Teacher-forced log-probabilities of the predicted tokens of a batch, with gradients: the building block of the
 * next-token stages (negative mean) and of GRPO (per-sequence sums weighted by advantages). Sequences are padded on
 * the right, which causal attention makes invisible to the real tokens.
 */
final class TokenLogProbs {
    private TokenLogProbs() {
    }

    /** Per predicted token log-probs, flattened over the batch [N], and the owning example of each [N]. */
    record Result(Tensor logProbs, int[] owner, int count) {
    }

    static Result compute(TorchQwenModel model, List<TokenExample> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("empty batch");
        int b = batch.size(), len = 0, n = 0;
        for (TokenExample e : batch) {
            len = Math.max(len, e.length());
            n += e.predicted();
        }
        long vocab = model.config().vocabSize();
        long[] ids = new long[b * len];
        long[] rows = new long[n], targets = new long[n];
        int[] owner = new int[n];
        int k = 0;
        for (int i = 0; i < b; i++) {
            int[] t = batch.get(i).tokens();
            for (int j = 0; j < t.length; j++) {
                if (t[j] < 0 || t[j] >= vocab) throw new IllegalArgumentException("token " + t[j] + " outside the model's vocabulary of " + vocab);
                ids[i * len + j] = t[j];
            }
            for (int j = batch.get(i).lossFrom(); j < t.length; j++) {
                rows[k] = (long) i * len + j - 1;   // the logits at position j-1 predict token j
                targets[k] = t[j];
                owner[k] = i;
                k++;
            }
        }
        Tensor logits = model.forward(Torch.longs(ids, b, len)).view(b * (long) len, vocab);
        Tensor picked = logits.index_select(0, Torch.longs(rows, n)).log_softmax(-1).gather(1, Torch.longs(targets, n, 1)).view(n);
        return new Result(picked, owner, n);
    }

    /** Mean negative log-likelihood over every predicted token of the batch. */
    static Tensor nll(TorchQwenModel model, List<TokenExample> batch) {
        return compute(model, batch).logProbs().mean().neg();
    }
}
