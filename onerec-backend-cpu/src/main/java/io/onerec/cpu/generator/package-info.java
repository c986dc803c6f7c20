/**
 * Internal: pure-Java generator inference ({@link io.onerec.cpu.generator.CpuGenerator} over a {@link
 * io.onerec.cpu.generator.CpuStepDecoder}). Kernels come from {@code io.onerec.core.vector}.
 *
 * <p>Audience: internal to the CPU backend and benchmarks; not a supported API.
 */
package io.onerec.cpu.generator;
