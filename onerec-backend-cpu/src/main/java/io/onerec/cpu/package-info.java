/**
 * The pure-Java backend ({@link io.onerec.cpu.CpuBackend}, registry name {@code cpu}): inference for the
 * generator, reasoner and reward model, with no native code.
 *
 * <p>Audience: registered through {@code ServiceLoader}; hosts reach it through {@code Backends}, never by class.
 * Contract: always available; results match the LibTorch backend up to float rounding
 * (onerec-integration-tests).
 */
package io.onerec.cpu;
