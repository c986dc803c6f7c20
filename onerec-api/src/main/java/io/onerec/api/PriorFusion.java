package io.onerec.api;

import java.util.Objects;

/**
 * How an {@link ItemPrior} is fused into the constrained beam search. For one history the prior's distribution is
 * <pre>  q(item) = (1 - backgroundShare) * evidence(item) / sum(evidence) + backgroundShare * background(item) / sum(background)</pre>
 * (all background when the history has no evidence), and a session's search score is
 * <pre>  log p_generator(session) + weight * sum over its items of log q(item)</pre>
 * Since the semantic ID is decoded code by code, {@code log q(item)} is split along the trie by the chain rule,
 * {@code log q(c_l | c_<l) = log q(subtree of c_1..c_l) - log q(subtree of c_1..c_l-1)}, so the prior already shapes
 * which prefixes survive the beam at the first code, not only the final order.
 *
 * <p>Sessions come back ordered by that fused score; {@link GeneratedSession#logProb()} stays the generator's own
 * log-probability.
 *
 * <p>{@code normalized}: a product of experts instead. Each code's score is the log-softmax, over the trie's children
 * of the prefix, of {@code log p_generator(code | prefix) + weight * log q(code | prefix)}, which is the distribution
 * a generator trained with the prior fused in was fitted to (the trainer's {@code withPriorFusion}). Use it for such
 * generators, with the weight they were trained with; use shallow fusion for generators trained alone.
 *
 * @param prior           the second opinion
 * @param weight          its weight, finite and >= 0 (0 decodes exactly as without fusion)
 * @param backgroundShare the background's share of the prior's mass, in (0, 1]: above zero so that every item keeps
 *                        a finite log-probability
 * @param normalized      product of experts normalised per prefix (for generators trained with this prior) rather than
 *                        shallow fusion
 */
public record PriorFusion(ItemPrior prior, double weight, double backgroundShare, boolean normalized) {
    public PriorFusion {
        Objects.requireNonNull(prior, "prior must not be null");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("fusion weight must be finite and >= 0, got " + weight);
        }
        if (!(backgroundShare > 0 && backgroundShare <= 1)) {
            throw new IllegalArgumentException("backgroundShare must be in (0, 1], got " + backgroundShare);
        }
    }

    /** Shallow fusion. */
    public PriorFusion(ItemPrior prior, double weight, double backgroundShare) {
        this(prior, weight, backgroundShare, false);
    }

    /** The same prior and weight as a normalised product of experts. */
    public PriorFusion asProductOfExperts() {
        return new PriorFusion(prior, weight, backgroundShare, true);
    }
}
