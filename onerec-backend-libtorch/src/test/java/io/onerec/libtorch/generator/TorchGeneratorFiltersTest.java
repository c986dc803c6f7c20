package io.onerec.libtorch.generator;

import io.onerec.core.codec.ResidualCodec;
import io.onerec.testing.FilterScenarios;
import io.onerec.testing.FusionScenarios;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request filters on the LibTorch generator (the shared search; see {@link FilterScenarios}). */
class TorchGeneratorFiltersTest {

    @Test
    void filteredRequestsEqualUnfilteredRequestsOverTheAllowedCatalog() {
        ResidualCodec codec = TestModels.fittedCodec(60, 4, 22);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 2), 8);
        int checked = FilterScenarios.assertFiltersPruneExactly(c -> new TorchGenerator(model, c), codec, 2, 25, 13);
        assertTrue(checked > 25, "too few non-vacuous checks: " + checked);
    }

    @Test
    void fusedPriorReordersByTheFusedScoreAndKeepsTheModelsLogProbabilities() {
        ResidualCodec codec = TestModels.fittedCodec(60, 4, 22);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 2), 8);
        try (TorchGenerator gen = new TorchGenerator(model, codec)) {
            assertEquals(2 * 4 * 60, FusionScenarios.assertFusedOrderMatchesDefinition(gen, codec, 4, 5));
        }
    }
}
