/**
 * Internal: pure-Java Qwen-style language model ({@link io.onerec.cpu.reasoner.CpuQwenModel}) for the reasoner.
 *
 * <p>Audience: internal to the CPU backend and benchmarks; other backends reach it through
 * {@code Backend.languageModel}. Not a supported API.
 */
package io.onerec.cpu.reasoner;
