package io.onerec.libtorch.baseline;

import io.onerec.api.UserHistory;
import io.onerec.tools.eval.BatchRecommender;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained {@link SasRecModel} as a full-ranking recommender: scores every item after the last
 * {@link SasRecConfig#maxLength()} history items and returns the top K. By default history items stay in the ranking
 * (as the generator is evaluated); {@code maskHistory} removes them, which is the S3-Rec evaluation protocol.
 *
 * <p>Several models (e.g. trained with different seeds) rank by the mean of their log-softmax (a geometric mean of
 * their distributions); they must share the catalog.
 */
public final class SasRecRecommender implements BatchRecommender {
    private final List<SasRecModel> models;
    private final boolean maskHistory;

    public SasRecRecommender(SasRecModel model, boolean maskHistory) {
        this(List.of(model), maskHistory);
    }

    public SasRecRecommender(List<SasRecModel> models, boolean maskHistory) {
        SasRecModel.sharedCatalog(models);
        this.models = List.copyOf(models);
        this.maskHistory = maskHistory;
    }

    @Override
    public List<int[]> recommend(List<UserHistory> histories, int topK) {
        SasRecModel first = models.getFirst();
        int n = first.config().items(), k = Math.min(topK, n);
        List<int[]> out = new ArrayList<>(histories.size());
        if (histories.isEmpty()) return out;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            List<int[]> historyItems = histories.stream().map(UserHistory::items).toList();
            Tensor scores = SasRecModel.ensembleScores(models, historyItems);
            if (maskHistory) scores = first.withoutItems(scores, historyItems);
            long[] top = Torch.toLongs(torch.topk(scores, k).get1());
            for (int r = 0; r < histories.size(); r++) {
                // With masking, a user who has seen almost the whole catalog may have fewer than k rankable items.
                int limit = maskHistory ? Math.min(k, n - distinct(histories.get(r).items(), n)) : k;
                int[] items = new int[limit];
                for (int i = 0; i < limit; i++) items[i] = (int) top[r * k + i];
                out.add(items);
            }
        }
        return out;
    }

    private static int distinct(int[] items, int n) {
        boolean[] seen = new boolean[n];
        int c = 0;
        for (int item : items) if (!seen[item]) { seen[item] = true; c++; }
        return c;
    }
}
