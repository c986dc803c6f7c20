/**
 * The reward model on LibTorch: trainable ({@link io.onerec.libtorch.reward.RewardTrainer}) and usable for scoring.
 *
 * <p>Audience: training programs; hosts load reward models through {@code Backends}.
 */
package io.onerec.libtorch.reward;
