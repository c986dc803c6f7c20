package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import io.onerec.testing.TestModels;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sparse (gather / expert FFN / scatter-add) MoE against the dense every-expert reference: values and gradients. */
class SparseMoeTest {
    private static final double TOLERANCE = 1e-5;

    private static GeneratorConfig config(int[] codebooks, int experts, int topK) {
        return new GeneratorConfig(32, 4, 64, 1, 2, experts, topK, 6, codebooks, 0, 1, 1e-6);
    }

    /** Output, balancing loss, and the gradients of a fixed projection of both w.r.t. input and every parameter. */
    private record Pass(float[] out, float aux, float[] inputGrad, List<float[]> paramGrads, float[] routerGrad) {
    }

    private static Pass layerPass(TorchGeneratorModel model, float[] input, long[] shape, float[] projection) {
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : model.parameterList()) if (p.grad().defined()) p.grad().zero_();
            Tensor x = Torch.floats(input, shape).requires_grad_(true);
            Tensor[] aux = new Tensor[1];
            Tensor out = model.moe(x, "decoder.layers.1.moe.", aux, 0);
            Tensor loss = out.mul(Torch.floats(projection, shape)).sum().add(aux[0]);
            loss.backward();
            return new Pass(Torch.toFloats(out), Torch.toFloats(aux[0])[0], Torch.toFloats(x.grad()), grads(model),
                    Torch.toFloats(model.p("decoder.layers.1.moe.router.weight").grad()));
        }
    }

    private static List<float[]> grads(TorchGeneratorModel model) {
        List<float[]> g = new ArrayList<>();
        for (Tensor p : model.parameterList()) g.add(p.grad().defined() ? Torch.toFloats(p.grad()) : new float[0]);
        return g;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    /** Treats an undefined gradient (a parameter the pass never touched) as all zeros of the other's length. */
    private static void assertGradsClose(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i), a = actual.get(i);
            if (e.length == 0) e = new float[a.length];
            if (a.length == 0) a = new float[e.length];
            assertClose(e, a, "gradient of parameter " + i);
        }
    }

    @Test
    void sparseLayerEqualsDenseReferenceInValueAndGradient() {
        // 3 tokens over 8 experts top-2 leave experts without tokens; 28 tokens over 6 experts top-3 fill them all.
        int[][] cases = {{8, 2, 1, 3}, {6, 3, 4, 7}, {6, 1, 2, 5}};
        for (int[] c : cases) {
            TorchGeneratorModel sparse = TorchGeneratorModel.initialize(config(new int[]{8, 8}, c[0], c[1]), 5);
            TorchGeneratorModel dense = sparse.withDenseMoeReference();
            long[] shape = {c[2], c[3], 32};
            Random r = new Random(c[0] * 31L + c[3]);
            float[] input = new float[c[2] * c[3] * 32], projection = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) r.nextGaussian();
                projection[i] = (float) r.nextGaussian();
            }
            Pass d = layerPass(dense, input, shape, projection);
            Pass s = layerPass(sparse, input, shape, projection);
            String what = c[0] + " experts top-" + c[1];
            assertClose(d.out(), s.out(), what + " output");
            assertEquals(d.aux(), s.aux(), TOLERANCE, what + " balancing loss");
            assertClose(d.inputGrad(), s.inputGrad(), what + " input gradient");
            assertGradsClose(d.paramGrads(), s.paramGrads());
            double routerGrad = 0;
            for (float g : s.routerGrad()) routerGrad += Math.abs(g);
            assertTrue(routerGrad > 0, what + ": the router must receive a gradient through the gates");
        }
    }

    @Test
    void trainingLossAndGradientsOfAWholeModelAreTheSame() {
        ResidualCodec codec = TestModels.fittedCodec(40, 4, 6);
        GeneratorConfig c = config(codec.codebookSizes(), 6, 2);
        TorchGeneratorModel sparse = TorchGeneratorModel.initialize(c, 9);
        TorchGeneratorModel dense = sparse.withDenseMoeReference();
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        List<UserHistory> users = TestModels.users(5, 40, 0, 3);
        List<int[]> sessions = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) sessions.add(new int[]{(7 * i + 2) % 40});
        float[] lossDense = new float[1], lossSparse = new float[1];
        List<float[]> gradDense = modelPass(dense, vocab, users, sessions, lossDense);
        List<float[]> gradSparse = modelPass(sparse, vocab, users, sessions, lossSparse);
        assertEquals(lossDense[0], lossSparse[0], TOLERANCE * Math.abs(lossDense[0]), "loss");
        assertGradsClose(gradDense, gradSparse);
    }

    /** Next-token loss (mean negative log-probability + balancing loss), backward; returns the gradients. */
    private static List<float[]> modelPass(TorchGeneratorModel model, GeneratorTokens vocab, List<UserHistory> users,
                                           List<int[]> sessions, float[] loss) {
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : model.parameterList()) if (p.grad().defined()) p.grad().zero_();
            SessionLogProbs.Result r = SessionLogProbs.compute(model, vocab, users, sessions);
            assertNotNull(r.auxLoss(), "an MoE model reports a balancing loss");
            Tensor l = r.tokenLogProbs().mean().neg().add(r.auxLoss());
            l.backward();
            loss[0] = Torch.toFloats(l)[0];
            return grads(model);
        }
    }
}
