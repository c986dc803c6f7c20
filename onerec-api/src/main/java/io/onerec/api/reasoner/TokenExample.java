package io.onerec.api.reasoner;

/**
 * A training sequence whose tokens from {@code lossFrom} on are predicted (teacher forcing); earlier tokens are
 * context only. {@code lossFrom} is at least 1: the first token has nothing to be predicted from.
 */
public record TokenExample(int[] tokens, int lossFrom) {
    public TokenExample {
        if (tokens.length < 2) throw new IllegalArgumentException("a training sequence needs at least 2 tokens, got " + tokens.length);
        if (lossFrom < 1 || lossFrom >= tokens.length) {
            throw new IllegalArgumentException("lossFrom " + lossFrom + " outside [1, " + tokens.length + ")");
        }
        tokens = tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    public int predicted() {
        return tokens.length - lossFrom;
    }
}
