package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;

import java.util.List;

/** Encoder inputs of a batch of users, right-padded with PAD; {@code padded} marks the padding (masked as keys). */
record EncoderBatch(Tensor tokens, Tensor padded, int length) {

    static EncoderBatch of(GeneratorTokens vocab, List<UserHistory> users) {
        int b = users.size();
        int[][] seqs = new int[b][];
        int s = 1;
        for (int i = 0; i < b; i++) {
            seqs[i] = vocab.encoderTokens(users.get(i));
            s = Math.max(s, seqs[i].length);
        }
        long[] tokens = new long[b * s];
        boolean[] padded = new boolean[b * s];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                boolean pad = j >= seqs[i].length;
                tokens[i * s + j] = pad ? GeneratorConfig.PAD : seqs[i][j];
                padded[i * s + j] = pad;
            }
        }
        return new EncoderBatch(Torch.longs(tokens, b, s), Torch.bools(padded, b, s), s);
    }
}
