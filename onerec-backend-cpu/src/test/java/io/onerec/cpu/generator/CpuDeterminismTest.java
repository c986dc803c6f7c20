package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What README's "Limits and guarantees" promises about bits: the pure-Java generator gives bit-identical
 * log-probabilities across calls, JIT warm-up, thread counts and batch composition, with the kernels this JVM
 * picked (Panama when jdk.incubator.vector is present, as in this build) and with the scalar ones. Before the
 * log-softmax exponential was made of exactly specified lane arithmetic ({@code PanamaMath.exp}), 287 of these
 * 1,024 log-probabilities changed in the last bits once C2 had compiled the kernels.
 */
class CpuDeterminismTest {
    private final SemanticIdCodec codec = TestModels.codec(4000, new int[]{64, 64, 64}, 1);
    private final GeneratorConfig config = TestModels.config(codec, 0, 0, 1);
    private final Map<String, HostTensor> tensors = TestModels.randomTensors(config, 2);
    private final List<UserHistory> users = TestModels.users(64, 4000, 0, 3);
    private final DecodingOptions options = DecodingOptions.beams(16);

    @Test
    void panamaOrScalarLogProbabilitiesAreBitIdenticalColdWarmAcrossThreadsAndBatches() {
        for (Kernels kernels : new Kernels[]{KernelProvider.get(), KernelProvider.scalar()}) {
            try (CpuGenerator one = new CpuGenerator(new GeneratorWeights(config, tensors, kernels), codec, 1);
                 CpuGenerator two = new CpuGenerator(new GeneratorWeights(config, tensors, kernels), codec, 2)) {
                List<List<GeneratedSession>> cold = one.generateBatch(users, options);
                // Enough calls for C1 and then C2 to compile the kernels and the decoder loop.
                for (int i = 0; i < 300; i++) one.generateBatch(users.subList(0, 8), options);
                List<List<GeneratedSession>> warm = one.generateBatch(users, options);
                assertSameBits(cold, warm, kernels.name() + ": cold vs warm");
                assertSameBits(warm, two.generateBatch(users, options), kernels.name() + ": 1 vs 2 threads");
                List<List<GeneratedSession>> single = new ArrayList<>();
                for (UserHistory u : users) single.add(one.generate(u, options));
                assertSameBits(warm, single, kernels.name() + ": batch of 64 vs one user at a time");
            }
        }
    }

    private static void assertSameBits(List<List<GeneratedSession>> a, List<List<GeneratedSession>> b, String what) {
        assertEquals(a.size(), b.size(), what);
        int compared = 0;
        for (int u = 0; u < a.size(); u++) {
            assertEquals(a.get(u).size(), b.get(u).size(), what + ", user " + u);
            for (int i = 0; i < a.get(u).size(); i++) {
                GeneratedSession x = a.get(u).get(i), y = b.get(u).get(i);
                assertEquals(x.firstItem(), y.firstItem(), what + ", user " + u + ", rank " + i);
                assertEquals(Double.doubleToRawLongBits(x.logProb()), Double.doubleToRawLongBits(y.logProb()),
                        what + ", user " + u + ", rank " + i + ": " + x.logProb() + " vs " + y.logProb());
                compared++;
            }
        }
        assertEquals(64 * 16, compared, what);
    }
}
