/**
 * The backend registry. Host applications call {@link io.onerec.api.spi.Backends#get()} (or
 * {@code Backends.get("cpu")}) and then a {@code load...} method; backends implement {@link io.onerec.api.spi.Backend}
 * and register it in {@code META-INF/services/io.onerec.api.spi.Backend}.
 *
 * <p>Audience: {@code Backends} is host-facing; {@code Backend} is the service-provider interface. Contract: a
 * backend never depends on another backend at compile time; it reaches one through this registry (e.g. the LibTorch
 * GRPO trainer borrows the pure-Java decoder with {@link io.onerec.api.spi.Backend#languageModel}).
 */
package io.onerec.api.spi;
