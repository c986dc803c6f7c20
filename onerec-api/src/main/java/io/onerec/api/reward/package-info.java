/**
 * The reward model's shape ({@link io.onerec.api.reward.RewardModelConfig}) and training example, shared by the
 * LibTorch trainer and the pure-Java scorer.
 *
 * <p>Audience: backend SPI. Contract: a checkpoint of this shape scores the same in every backend up to float
 * rounding. Reports over scores live in {@code io.onerec.tools.reward}.
 */
package io.onerec.api.reward;
