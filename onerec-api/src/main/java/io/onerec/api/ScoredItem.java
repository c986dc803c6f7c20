package io.onerec.api;

/**
 * A recommended item with its score.
 *
 * @param item    dense item index
 * @param logProb the item's log-probability (for the reasoner: the best over its sampled reasoning paths)
 */
public record ScoredItem(int item, double logProb) {
}
