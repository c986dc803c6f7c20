package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/**
 * Encoder inputs of a batch of users: tokens [B, S, P] (P token ids per position), right-padded with all-PAD
 * positions; {@code padded} [B, S] marks the padding (masked as keys).
 */
record EncoderBatch(Tensor tokens, Tensor padded, int length) {

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
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < seqs[i].length; j++) tokens[i * s * p + j] = seqs[i][j];
            for (int j = seqs[i].length / p; j < s; j++) padded[i * s + j] = true;
        }
        return new EncoderBatch(Torch.longs(tokens, b, s, p), Torch.bools(padded, b, s), s);
    }
}
