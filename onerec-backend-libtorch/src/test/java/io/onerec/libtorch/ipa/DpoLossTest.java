package io.onerec.libtorch.ipa;

import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DpoLossTest {

    @Test
    void matchesAHandComputation() {
        // Pair 1: policy chosen -2, rejected -3; reference chosen -2.5, rejected -2.5; beta 0.5.
        //   margin = 0.5 * ((-2 + 2.5) - (-3 + 2.5)) = 0.5 * (0.5 + 0.5) = 0.5
        //   loss = -log sigmoid(0.5) = log(1 + e^-0.5) = 0.474077
        assertEquals(0.474077, DpoLoss.of(-2, -3, -2.5, -2.5, 0.5), 1e-6);
        // Pair 2: policy equals reference: margin 0, loss log 2.
        assertEquals(Math.log(2), DpoLoss.of(-1, -4, -1, -4, 0.5), 1e-12);
        // Pair 3: rejected got likelier than the reference: margin = 0.5 * (0 - (-1 + 3)) = -1, loss = log(1 + e) = 1.313262.
        assertEquals(1.313262, DpoLoss.of(-2, -1, -2, -3, 0.5), 1e-6);
        // Extreme margins stay finite.
        assertEquals(0, DpoLoss.of(0, -1e6, 0, 0, 1), 1e-12);
        assertEquals(1e6, DpoLoss.of(0, 1e6, 0, 0, 1), 1e-6);

        try (PointerScope scope = new PointerScope()) {
            Tensor pc = Torch.floats(new float[]{-2, -1, -2}, 3).set_requires_grad(true);
            Tensor pr = Torch.floats(new float[]{-3, -4, -1}, 3).set_requires_grad(true);
            Tensor rc = Torch.floats(new float[]{-2.5f, -1, -2}, 3);
            Tensor rr = Torch.floats(new float[]{-2.5f, -4, -3}, 3);
            Tensor loss = DpoLoss.of(pc, pr, rc, rr, 0.5);
            double expected = (0.474077 + Math.log(2) + 1.313262) / 3;
            assertEquals(expected, loss.item_float(), 1e-5);
            // d loss / d pi_c = -beta sigmoid(-margin) / B; for pair 1: -0.5 * sigmoid(-0.5) / 3 = -0.062941.
            loss.backward();
            float[] g = Torch.toFloats(pc.grad());
            assertEquals(-0.5 * (1 / (1 + Math.exp(0.5))) / 3, g[0], 1e-6);
            assertEquals(-g[0], Torch.toFloats(pr.grad())[0], 1e-7);
        }
    }
}
