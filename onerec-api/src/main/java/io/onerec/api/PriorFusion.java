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
 * @param prior           the second opinion
 * @param weight          its weight, finite and >= 0 (0 decodes exactly as without fusion)
 * @param backgroundShare the background's share of the prior's mass, in (0, 1]: above zero so that every item keeps
 *                        a finite log-probability
 */
public record PriorFusion(ItemPrior prior, double weight, double backgroundShare) {
    public PriorFusion {
        Objects.requireNonNull(prior, "prior must not be null");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("fusion weight must be finite and >= 0, got " + weight);
        }
        if (!(backgroundShare > 0 && backgroundShare <= 1)) {
            throw new IllegalArgumentException("backgroundShare must be in (0, 1], got " + backgroundShare);
        }
    }
}
