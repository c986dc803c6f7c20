package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/**
 * Encoder inputs of a batch of users: tokens [B, S, P] (P token ids per position), right-padded with all-PAD
 * positions; {@code items} [B, S] the item-embedding rows (-1 = none; null when the model has no item embeddings);
 * {@code padded} [B, S] marks the padding (masked as keys).
 */
record EncoderBatch(Tensor tokens, Tensor items, Tensor padded, int length) {

    static EncoderBatch of(GeneratorTokens vocab, List<UserHistory> users) {
        int b = users.size(), p = vocab.config().codeLevels();
        int[][] seqs = new int[b][];
        int s = 1;
        for (int i = 0; i < b; i++) {
            seqs[i] = vocab.encoderTokens(users.get(i));
            s = Math.max(s, seqs[i].length / p);
        }
        long[] tokens = new long[b * s * p]; // PAD = 0
        boolean[] padded = new boolean[b * s];
        boolean withItems = vocab.config().itemEmbeddings();
        long[] items = withItems ? new long[b * s] : null;
        if (withItems) java.util.Arrays.fill(items, -1);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < seqs[i].length; j++) tokens[i * s * p + j] = seqs[i][j];
            for (int j = seqs[i].length / p; j < s; j++) padded[i * s + j] = true;
            if (withItems) {
                int[] rows = vocab.encoderItems(users.get(i));
                for (int j = 0; j < rows.length; j++) items[i * s + j] = rows[j];
            }
        }
        return new EncoderBatch(Torch.longs(tokens, b, s, p), withItems ? Torch.longs(items, b, s) : null,
                Torch.bools(padded, b, s), s);
    }
}
