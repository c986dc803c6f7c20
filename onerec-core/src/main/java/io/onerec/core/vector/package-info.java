/**
 * Internal: the one vectorization provider for every pure-Java kernel (GEMM, dot/axpy, attention, norms, softmax,
 * codec distances). {@link io.onerec.core.vector.KernelProvider} chooses the Panama (Vector API) or scalar
 * implementations once per JVM and holds them; {@code -Donerec.cpu.scalar=true} forces scalar.
 *
 * <p>Audience: internal to onerec-java (the CPU backend, the codec, benchmarks); not a supported API. Contract:
 * scalar and Panama implementations agree up to float rounding (distance kernels: bit for bit).
 */
package io.onerec.core.vector;
