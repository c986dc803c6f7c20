/**
 * Internal: pure-Java reward-model scoring ({@link io.onerec.cpu.reward.CpuRewardModel}).
 *
 * <p>Audience: internal to the CPU backend and benchmarks; not a supported API.
 */
package io.onerec.cpu.reward;
