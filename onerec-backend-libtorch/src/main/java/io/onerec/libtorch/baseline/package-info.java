/**
 * SASRec on LibTorch, the sequential baseline the generator is measured against (docs/baselines.md): the model
 * ({@link io.onerec.libtorch.baseline.SasRecModel} with {@link io.onerec.libtorch.baseline.SasRecConfig}), full-softmax
 * training with early stopping ({@link io.onerec.libtorch.baseline.SasRecTrainer} with
 * {@link io.onerec.libtorch.baseline.SasRecTrainerConfig}), and full-ranking evaluation
 * ({@link io.onerec.libtorch.baseline.SasRecRecommender}).
 *
 * <p>Audience: evaluation programs (onerec-examples' BaselinesExample); not part of the host-facing API and not
 * reachable through {@code Backends}. Contract: the trainer and the recommender open a {@code PointerScope} per step
 * and per scored batch themselves (the model's tensor-level forward pass is package-private), so callers need none.
 */
package io.onerec.libtorch.baseline;
