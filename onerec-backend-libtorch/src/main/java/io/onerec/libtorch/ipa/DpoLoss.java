package io.onerec.libtorch.ipa;

import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;

/**
 * Direct Preference Optimization loss: {@code -log sigmoid(beta ((pi_c - ref_c) - (pi_r - ref_r)))}, averaged over
 * pairs, where pi and ref are summed log-probabilities of the chosen (c) and rejected (r) sessions under the policy
 * and the frozen reference.
 */
public final class DpoLoss {
    private DpoLoss() {
    }

    /** All arguments are [B]; returns the mean loss (a scalar tensor, with gradients through the policy terms). */
    public static Tensor of(Tensor policyChosen, Tensor policyRejected, Tensor refChosen, Tensor refRejected, double beta) {
        Tensor margin = policyChosen.sub(refChosen).sub(policyRejected.sub(refRejected)).mul(Torch.scalar(beta));
        return softplus(margin.neg()).mean();
    }

    /** The same loss for one pair in plain Java, for reports and checks. */
    public static double of(double policyChosen, double policyRejected, double refChosen, double refRejected, double beta) {
        double margin = beta * ((policyChosen - refChosen) - (policyRejected - refRejected));
        return Math.max(-margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
    }

    /** log(1 + e^x), stable for large |x|. */
    static Tensor softplus(Tensor x) {
        return x.clamp_min(Torch.scalar(0)).add(x.abs().neg().exp().log1p());
    }
}
